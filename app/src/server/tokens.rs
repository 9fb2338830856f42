//! Access tokens (HS256 JWT, short-lived) and refresh tokens (opaque, stored hashed per tenant).
use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::tenancy::{slug::Slug, tenant::Tenant};
use crate::model::Role;

pub const ACCESS: &str = "access";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user id.
    pub sub: Uuid,
    /// The tenant slug; the `X-Tenant` header must equal it byte for byte.
    pub tenant: String,
    /// The tenant id.
    pub company_id: Uuid,
    pub role: Role,
    pub is_owner: bool,
    pub email: String,
    pub token_type: String,
    pub iat: u64,
    pub exp: u64,
    pub jti: Uuid,
    /// The user's security version when issued: a password change or deactivation moves it.
    pub sv: i32,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    access_ttl: Duration,
    verified: VerifiedTokens,
}

/// Seconds a token is still accepted after its `exp` (clock skew between issuing nodes).
const LEEWAY_SECS: u64 = 5;

/// Access tokens this process has already verified, by their exact text. A client sends the same
/// token with every request for up to 15 minutes, and checking a signature and parsing the claims
/// cost more than the rest of a small request. A hit still checks `exp`; only a byte-identical
/// token (whose signature was checked) ever hits, so nothing is accepted that would fail `decode`.
#[derive(Default)]
struct VerifiedTokens {
    /// Keyed by the signature segment (cheap to hash).
    entries: RwLock<HashMap<Box<str>, Verified>>,
}

/// The whole token (compared on every hit) and its claims.
type Verified = (Box<str>, Arc<AccessClaims>);

/// Bound on remembered tokens (a few hundred bytes each).
const MAX_VERIFIED_TOKENS: usize = 16_384;

impl VerifiedTokens {
    fn get(&self, token: &str, now: u64) -> Option<Arc<AccessClaims>> {
        let signature = token.rsplit('.').next()?;
        let entries = self.entries.read().expect("token cache lock");
        let (full, claims) = entries.get(signature)?;
        (**full == *token && claims.exp.saturating_add(LEEWAY_SECS) >= now).then(|| claims.clone())
    }

    fn insert(&self, token: &str, claims: Arc<AccessClaims>, now: u64) {
        let Some(signature) = token.rsplit('.').next() else { return };
        let mut entries = self.entries.write().expect("token cache lock");
        if entries.len() >= MAX_VERIFIED_TOKENS {
            entries.retain(|_, (_, c)| c.exp.saturating_add(LEEWAY_SECS) >= now);
            if entries.len() >= MAX_VERIFIED_TOKENS {
                entries.clear();
            }
        }
        entries.insert(signature.into(), (token.into(), claims));
    }
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

/// The subset of a user that an access token describes.
pub struct Subject<'a> {
    pub user_id: Uuid,
    pub role: Role,
    pub email: &'a str,
    pub security_version: i32,
}

impl TokenKeys {
    pub fn new(secret: &[u8], access_ttl: Duration) -> Self {
        // Only HS256 is accepted: a token naming another algorithm (or `none`) is refused.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        validation.set_required_spec_claims(&["exp", "sub", "iat"]);
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl,
            verified: VerifiedTokens::default(),
        }
    }

    pub fn access_ttl_secs(&self) -> u64 {
        self.access_ttl.as_secs()
    }

    pub fn issue_access(&self, tenant: &Tenant, subject: &Subject<'_>) -> Result<String, jsonwebtoken::errors::Error> {
        let iat = now_secs();
        let claims = AccessClaims {
            sub: subject.user_id,
            tenant: tenant.slug.as_str().to_string(),
            company_id: tenant.id,
            role: subject.role,
            is_owner: subject.role == Role::Owner,
            email: subject.email.to_string(),
            token_type: ACCESS.to_string(),
            iat,
            exp: iat + self.access_ttl.as_secs(),
            jti: Uuid::new_v4(),
            sv: subject.security_version,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// `None` for anything but a valid, unexpired access token signed with our key.
    pub fn verify_access(&self, token: &str) -> Option<Arc<AccessClaims>> {
        let now = now_secs();
        if let Some(claims) = self.verified.get(token, now) {
            return Some(claims);
        }
        let data = jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation).ok()?;
        if data.claims.token_type != ACCESS {
            return None;
        }
        let claims = Arc::new(data.claims);
        self.verified.insert(token, claims.clone(), now);
        Some(claims)
    }
}

/// A new opaque token (refresh tokens, invitations): `<tenant slug>.<256 random bits>`. The slug
/// tells the server which tenant's schema holds its digest; the random part makes it unguessable.
pub fn new_tenant_token(slug: &Slug) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{}.{}", slug.as_str(), URL_SAFE_NO_PAD.encode(bytes))
}

/// The tenant part of a token made by [`new_tenant_token`], if it has the right shape.
pub fn token_tenant(token: &str) -> Option<Slug> {
    let (slug, secret) = token.split_once('.')?;
    if secret.len() != 43 || URL_SAFE_NO_PAD.decode(secret).is_err() {
        return None;
    }
    Slug::parse(slug).ok()
}

pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys with a 15-minute lifetime, and an owner's token of tenant `acme` signed with them.
    fn keys_and_token(security_version: i32) -> (TokenKeys, String) {
        let keys = TokenKeys::new(b"0123456789abcdef0123456789abcdef", Duration::from_secs(900));
        let subject = Subject { user_id: Uuid::new_v4(), role: Role::Owner, email: "a@b.c", security_version };
        let token = keys.issue_access(&Tenant::for_tests("acme"), &subject).unwrap();
        (keys, token)
    }

    #[test]
    fn access_token_round_trip_and_type_check() {
        let (keys, token) = keys_and_token(3);
        let claims = keys.verify_access(&token).unwrap();
        assert_eq!(claims.tenant, "acme");
        assert!(claims.is_owner);
        assert_eq!(claims.exp - claims.iat, 900);
        assert_eq!(claims.sv, 3);

        let other = TokenKeys::new(b"another secret of enough length!", Duration::from_secs(900));
        assert!(other.verify_access(&token).is_none(), "foreign signature");
        assert!(keys.verify_access("not.a.jwt").is_none());
    }

    #[test]
    fn remembered_tokens_are_only_byte_identical_unexpired_ones() {
        let (keys, token) = keys_and_token(0);
        let first = keys.verify_access(&token).unwrap();
        assert_eq!(*keys.verify_access(&token).unwrap(), *first, "a second check answers the same claims");

        // Same signature, another payload: must go through the full check, and fail it.
        let (_, signature) = token.rsplit_once('.').unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"x"}"#);
        let header = token.split('.').next().unwrap();
        assert!(keys.verify_access(&format!("{header}.{forged_payload}.{signature}")).is_none());

        // A remembered token stops working when it expires.
        assert!(keys.verified.get(&token, first.exp + LEEWAY_SECS).is_some());
        assert!(keys.verified.get(&token, first.exp + LEEWAY_SECS + 1).is_none());
    }

    #[test]
    fn refresh_tokens_carry_their_tenant() {
        let slug = Slug::parse("acme-2").unwrap();
        let token = new_tenant_token(&slug);
        assert_eq!(token_tenant(&token).unwrap().as_str(), "acme-2");
        assert_ne!(new_tenant_token(&slug), token);
        assert!(token_tenant("acme.short").is_none());
        assert!(token_tenant("'; drop table x;--.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").is_none());
        assert_eq!(digest(&token).len(), 32);
    }
}
