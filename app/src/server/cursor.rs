//! Opaque cursors of list endpoints: a page's position (sort, direction, last key and id) bound to
//! its tenant and list and signed with HMAC-SHA256 under a key derived from the JWT secret. A
//! forged, edited or another tenant's cursor fails the check and is refused (422); it is never
//! read as a position.
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::db::keyset::{After, KeyValue};

type HmacSha256 = Hmac<Sha256>;

pub struct CursorKeys {
    key: [u8; 32],
}

/// What a cursor says, besides the tenant and list it is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub sort: String,
    pub descending: bool,
    pub after: After,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    /// Tenant id and list name: a cursor works only where it was made.
    t: Uuid,
    l: String,
    s: String,
    d: bool,
    k: KeyValue,
    i: Uuid,
}

impl CursorKeys {
    /// A key of its own, so a cursor can never pass for a token or the reverse.
    pub fn new(secret: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"atrium list cursor v1\0");
        hasher.update(secret);
        CursorKeys { key: hasher.finalize().into() }
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key length")
    }

    pub fn encode(&self, tenant: Uuid, list: &str, position: &Position) -> String {
        let payload = Payload {
            t: tenant,
            l: list.to_string(),
            s: position.sort.clone(),
            d: position.descending,
            k: position.after.key.clone(),
            i: position.after.id,
        };
        let body = serde_json::to_vec(&payload).unwrap_or_default();
        let mut mac = self.mac();
        mac.update(&body);
        let tag = mac.finalize().into_bytes();
        format!("{}.{}", URL_SAFE_NO_PAD.encode(&body), URL_SAFE_NO_PAD.encode(tag))
    }

    /// The position of a cursor this app made for `tenant`'s `list`; None for anything else.
    pub fn decode(&self, tenant: Uuid, list: &str, cursor: &str) -> Option<Position> {
        let (body, tag) = cursor.split_once('.')?;
        let body = URL_SAFE_NO_PAD.decode(body).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        let mut mac = self.mac();
        mac.update(&body);
        mac.verify_slice(&tag).ok()?;
        let payload: Payload = serde_json::from_slice(&body).ok()?;
        if payload.t != tenant || payload.l != list {
            return None;
        }
        Some(Position { sort: payload.s, descending: payload.d, after: After { key: payload.k, id: payload.i } })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position() -> Position {
        Position {
            sort: "name".into(),
            descending: false,
            after: After { key: KeyValue::Text("ana".into()), id: Uuid::new_v4() },
        }
    }

    #[test]
    fn a_cursor_reads_back_only_where_it_was_made() {
        let keys = CursorKeys::new(b"0123456789abcdef0123456789abcdef");
        let tenant = Uuid::new_v4();
        let p = position();
        let cursor = keys.encode(tenant, "users", &p);
        assert_eq!(keys.decode(tenant, "users", &cursor), Some(p.clone()));
        assert_eq!(keys.decode(Uuid::new_v4(), "users", &cursor), None, "another tenant");
        assert_eq!(keys.decode(tenant, "departments", &cursor), None, "another list");
        let other = CursorKeys::new(b"another secret of enough length!");
        assert_eq!(other.decode(tenant, "users", &cursor), None, "another key");
        let numbers = Position { after: After { key: KeyValue::Int(-3), id: p.after.id }, ..p };
        assert_eq!(keys.decode(tenant, "users", &keys.encode(tenant, "users", &numbers)), Some(numbers));
    }

    #[test]
    fn an_edited_cursor_is_refused() {
        let keys = CursorKeys::new(b"0123456789abcdef0123456789abcdef");
        let tenant = Uuid::new_v4();
        let cursor = keys.encode(tenant, "users", &position());
        let (body, tag) = cursor.split_once('.').unwrap();
        let json = String::from_utf8(URL_SAFE_NO_PAD.decode(body).unwrap()).unwrap();
        let forged = URL_SAFE_NO_PAD.encode(json.replace("\"ana\"", "\"zed\""));
        assert_eq!(keys.decode(tenant, "users", &format!("{forged}.{tag}")), None);
        for junk in ["", ".", "abc", "abc.def", "!!.!!", &format!("{body}.")] {
            assert_eq!(keys.decode(tenant, "users", junk), None, "{junk}");
        }
    }
}
