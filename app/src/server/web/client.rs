//! The client address of a request. Behind a proxy or load balancer the TCP peer is the proxy:
//! only when the peer is one of `ATRIUM_TRUSTED_PROXIES` is `X-Forwarded-For` (or, without it,
//! `Forwarded`) believed, read from the right, skipping trusted hops: the first untrusted one is
//! the client (anything to its left was written by the client itself and proves nothing).
//! Computed once per request by [`middleware`]; every limiter, session record and log line reads
//! [`ClientAddress`].
use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts, Request, State},
    http::{request::Parts, HeaderMap},
    middleware::Next,
    response::Response,
};
use ipnet::IpNet;

use crate::server::state::AppState;

/// The address a request comes from, proxies taken into account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl std::fmt::Display for ClientAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The client of a request from `peer` with these headers, believing only `trusted` proxies.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops = forwarded_for(headers);
    let mut client = peer;
    for hop in hops.iter().rev() {
        match hop {
            Some(ip) if is_trusted(ip) => client = *ip,
            Some(ip) => return *ip,
            // A hop that is not an address: nothing to its left can be believed.
            None => return client,
        }
    }
    client
}

/// The hops of `X-Forwarded-For` (every header line, in order), or of `Forwarded: for=` when there
/// is no `X-Forwarded-For`; `None` for a hop that is not an address.
fn forwarded_for(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).map(str::to_string).collect()
    };
    let xff = values("x-forwarded-for");
    if !xff.is_empty() {
        return xff.iter().flat_map(|line| line.split(',')).map(|hop| parse_hop(hop.trim())).collect();
    }
    values("forwarded")
        .iter()
        .flat_map(|line| line.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (key, value) = pair.trim().split_once('=')?;
                key.eq_ignore_ascii_case("for").then(|| parse_hop(value.trim().trim_matches('"')))
            })
        })
        .collect()
}

/// `203.0.113.7`, `203.0.113.7:443`, `2001:db8::1`, `[2001:db8::1]:443`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| hop.strip_prefix('[').and_then(|h| h.split_once(']')).and_then(|(ip, _)| ip.parse().ok()))
}

/// Outermost on the router: puts the request's [`ClientAddress`] in its extensions.
pub async fn middleware(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    let client = client_address(peer, req.headers(), &state.settings.trusted_proxies);
    req.extensions_mut().insert(ClientAddress(client));
    next.run(req).await
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(of(parts))
    }
}

/// The request's client address (the peer when the middleware did not run, as in unit tests).
pub fn of(parts: &Parts) -> ClientAddress {
    parts.extensions.get::<ClientAddress>().copied().unwrap_or_else(|| {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(a)| a.ip());
        ClientAddress(peer.unwrap_or(IpAddr::from([0, 0, 0, 0])))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, v.parse().unwrap());
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_says() {
        let h = headers(&[("x-forwarded-for", "1.2.3.4")]);
        assert_eq!(client_address(ip("198.51.100.9"), &h, &[]), ip("198.51.100.9"));
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(client_address(ip("198.51.100.9"), &h, &trusted), ip("198.51.100.9"));
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap(), "127.0.0.1/32".parse().unwrap()];
        let peer = ip("10.0.0.2");
        // The client wrote a fake first hop; the proxy appended the real one.
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.0.0.5")]);
        assert_eq!(client_address(peer, &h, &trusted), ip("203.0.113.7"));
        // Several header lines count as one list, in order.
        let h = headers(&[("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "203.0.113.8")]);
        assert_eq!(client_address(peer, &h, &trusted), ip("203.0.113.8"));
        // Ports and IPv6.
        let h = headers(&[("x-forwarded-for", "[2001:db8::7]:443")]);
        assert_eq!(client_address(peer, &h, &trusted), ip("2001:db8::7"));
        // Garbage stops the walk at the last trusted hop.
        let h = headers(&[("x-forwarded-for", "203.0.113.7, not-an-ip")]);
        assert_eq!(client_address(peer, &h, &trusted), peer);
        // No header: the proxy itself.
        assert_eq!(client_address(peer, &HeaderMap::new(), &trusted), peer);
    }

    #[test]
    fn the_standard_forwarded_header_is_read_without_x_forwarded_for() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let h = headers(&[("forwarded", "for=6.6.6.6, for=\"[2001:db8::9]:1234\";proto=https, for=10.0.0.7")]);
        assert_eq!(client_address(ip("10.0.0.2"), &h, &trusted), ip("2001:db8::9"));
    }
}
