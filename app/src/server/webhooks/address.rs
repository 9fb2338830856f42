//! Which addresses a webhook may reach. In production an endpoint must be a public internet
//! address: loopback, private, link-local (cloud metadata at 169.254.169.254 included),
//! carrier-grade NAT, multicast and reserved ranges are refused, also when an IPv6 address
//! carries an IPv4 one. The check runs when an endpoint is saved and again on every delivery,
//! on the addresses the connection actually uses (DNS can change in between).
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// True when a webhook may connect to `ip` in production.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT (some clouds' metadata)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., hi, lo] = segments;
        return is_public_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    }
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00 // unique local, fd00:ec2::254 (metadata) among them
        || (segments[0] & 0xffc0) == 0xfe80 // link-local
        || (segments[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || segments[..2] == [0x2001, 0xdb8] // documentation
        || segments[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible (deprecated)
}

/// Why a URL cannot be an endpoint, in the words of a field error.
pub fn check_url(raw: &str) -> Result<reqwest::Url, String> {
    let url = reqwest::Url::parse(raw).map_err(|_| "must be an absolute http:// or https:// URL".to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be an http:// or https:// URL".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password".into());
    }
    if raw.len() > 2000 {
        return Err("is too long (at most 2000 characters)".into());
    }
    Ok(url)
}

/// In production: refuses a URL whose host is, or resolves to, an address that is not public.
/// A host that does not resolve now is accepted (the delivery checks again and retries).
pub async fn check_reachable(url: &reqwest::Url) -> Result<(), String> {
    let refused = || "must be a public internet address (loopback, private and link-local addresses are refused)";
    match url.host() {
        Some(url::Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => return Err(refused().into()),
        Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => return Err(refused().into()),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.');
            if name.eq_ignore_ascii_case("localhost") || name.to_ascii_lowercase().ends_with(".localhost") {
                return Err(refused().into());
            }
            let port = url.port_or_known_default().unwrap_or(443);
            if let Ok(addrs) = tokio::net::lookup_host((name, port)).await {
                if addrs.into_iter().any(|a| !is_public(a.ip())) {
                    return Err(refused().into());
                }
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().unwrap())
    }

    #[test]
    fn internal_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "127.1.2.3",
            "0.0.0.0",
            "10.0.0.5",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.100.100.200",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00:ec2::254",
            "fc00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "ff02::1",
        ] {
            assert!(!public(ip), "{ip} must be refused");
        }
    }

    #[test]
    fn internet_addresses_are_public() {
        for ip in
            ["8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]
        {
            assert!(public(ip), "{ip} is on the internet");
        }
    }

    #[test]
    fn only_plain_http_urls_are_endpoints() {
        assert!(check_url("https://hooks.example.com/atrium").is_ok());
        assert!(check_url("http://127.0.0.1:9000/x").is_ok(), "the address is checked apart");
        for bad in ["ftp://example.com/", "example.com/hook", "https://user:pw@example.com/", "javascript:alert(1)", ""]
        {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn loopback_and_metadata_hosts_are_unreachable() {
        for url in [
            "http://127.0.0.1:8080/",
            "http://[::1]/",
            "http://169.254.169.254/latest/meta-data",
            "http://localhost/",
            "http://api.localhost./",
            "http://[::ffff:10.0.0.1]/",
        ] {
            let url = check_url(url).unwrap();
            assert!(check_reachable(&url).await.is_err(), "{url}");
        }
        assert!(check_reachable(&check_url("https://203.0.114.9/").unwrap()).await.is_ok());
    }
}
