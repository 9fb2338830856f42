//! Access tokens (HS256 JWT, short-lived) and refresh tokens (opaque, stored hashed per tenant).
//!
//! An access token names its issuer and audience (`iss`, `aud`: the deployment's public URL), its
//! type in the header (`typ: at+jwt`, RFC 9068, so no other JWT of ours passes for one) and the key
//! that signed it (`kid`). Two keys are accepted: the current `ATRIUM_JWT_SECRET` and, while a
//! rotation is under way, `ATRIUM_JWT_SECRET_PREVIOUS`; tokens are always signed with the current
//! one, so after one access-token lifetime the previous key can go.
use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use hmac::{Hmac, Mac};
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
    /// The sign-in this token belongs to (an API refresh family): ending it ends the token.
    pub sid: Uuid,
    pub iss: String,
    pub aud: String,
    /// Not before: a token from the future is refused (with the same leeway as `exp`).
    pub nbf: u64,
}

/// The JOSE `typ` of access tokens (RFC 9068).
pub const ACCESS_TYP: &str = "at+jwt";

/// One signing key and its id (the first 8 bytes of the SHA-256 of the secret, in hex: names the
/// key without revealing anything of it).
struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl SigningKey {
    fn new(secret: &[u8]) -> SigningKey {
        let kid = Sha256::digest(secret)[..8].iter().map(|b| format!("{b:02x}")).collect();
        SigningKey { kid, encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret) }
    }
}

pub struct TokenKeys {
    current: SigningKey,
    previous: Option<SigningKey>,
    issuer: String,
    audience: String,
    validation: Validation,
    access_ttl: Duration,
    verified: VerifiedTokens,
    /// Derives the refresh token that follows a presented one (see [`TokenKeys::successor`]).
    successor_key: [u8; 32],
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
    /// The sign-in (session) the token is issued for.
    pub session_id: Uuid,
}

impl TokenKeys {
    /// `issuer` is the deployment's public URL (equal on every node); `previous` the secret being
    /// rotated out, still accepted for verifying.
    pub fn new(secret: &[u8], previous: Option<&[u8]>, issuer: &str, access_ttl: Duration) -> Self {
        let issuer = issuer.trim_end_matches('/').to_string();
        let audience = format!("{issuer}/api");
        // Only HS256 is accepted: a token naming another algorithm (or `none`) is refused.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "nbf", "sub", "iat", "iss", "aud"]);
        validation.set_issuer(&[&issuer]);
        validation.set_audience(&[&audience]);
        TokenKeys {
            current: SigningKey::new(secret),
            previous: previous.filter(|p| *p != secret).map(SigningKey::new),
            issuer,
            audience,
            validation,
            access_ttl,
            verified: VerifiedTokens::default(),
            successor_key: Sha256::new()
                .chain_update(b"atrium refresh successor\0")
                .chain_update(secret)
                .finalize()
                .into(),
        }
    }

    /// The refresh token that replaces `presented` when it is exchanged: derived from it under a
    /// server key instead of drawn at random, so two concurrent exchanges of one token (a client
    /// retrying, two tabs) can both be answered with the same successor during a short grace,
    /// while only its digest is ever stored. Unguessable without the key, like a random one.
    pub fn successor(&self, slug: &Slug, presented: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.successor_key).expect("any key length");
        mac.update(presented.as_bytes());
        format!("{}.{}", slug.as_str(), URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
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
            sid: subject.session_id,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            nbf: iat,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.typ = Some(ACCESS_TYP.to_string());
        header.kid = Some(self.current.kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.current.encoding)
    }

    /// The key a token's header names: the current one or the one being rotated out.
    fn key_for(&self, kid: Option<&str>) -> Option<&SigningKey> {
        let kid = kid?;
        std::iter::once(&self.current).chain(self.previous.as_ref()).find(|k| k.kid == kid)
    }

    /// `None` for anything but a valid, unexpired access token signed with our key.
    pub fn verify_access(&self, token: &str) -> Option<Arc<AccessClaims>> {
        let now = now_secs();
        if let Some(claims) = self.verified.get(token, now) {
            return Some(claims);
        }
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.typ.as_deref() != Some(ACCESS_TYP) {
            return None;
        }
        let key = self.key_for(header.kid.as_deref())?;
        let data = jsonwebtoken::decode::<AccessClaims>(token, &key.decoding, &self.validation).ok()?;
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

/// An API key as a client presents it: `atr_<prefix>_<secret>`, a 12-hex-digit prefix that finds
/// the key's row and 64 hex digits (256 random bits) of secret.
pub struct ApiKeyText<'a> {
    pub prefix: &'a str,
    secret: &'a str,
}

const API_KEY_PREFIX_LEN: usize = 12;
const API_KEY_SECRET_LEN: usize = 64;

impl<'a> ApiKeyText<'a> {
    /// The parts of a bearer credential shaped like an API key; `None` for anything else (a JWT).
    pub fn parse(text: &'a str) -> Option<Self> {
        let (prefix, secret) = text.strip_prefix("atr_")?.split_once('_')?;
        let hex = |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_hexdigit());
        (hex(prefix, API_KEY_PREFIX_LEN) && hex(secret, API_KEY_SECRET_LEN)).then_some(ApiKeyText { prefix, secret })
    }

    /// Whether the secret is the one whose digest was stored (compared in constant time).
    pub fn matches(&self, stored: &[u8]) -> bool {
        use subtle::ConstantTimeEq;
        digest(self.secret).ct_eq(stored).into()
    }
}

/// A new API key: (the whole key to show once, its prefix, the digest of its secret to store).
pub fn new_api_key() -> (String, String, Vec<u8>) {
    let mut prefix = [0u8; API_KEY_PREFIX_LEN / 2];
    let mut secret = [0u8; API_KEY_SECRET_LEN / 2];
    rand::rng().fill_bytes(&mut prefix);
    rand::rng().fill_bytes(&mut secret);
    let (prefix, secret) = (crate::server::text::hex(&prefix), crate::server::text::hex(&secret));
    (format!("atr_{prefix}_{secret}"), prefix, digest(&secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_key_is_found_by_its_prefix_and_checked_by_its_secret() {
        let (key, prefix, stored) = new_api_key();
        let parsed = ApiKeyText::parse(&key).unwrap();
        assert_eq!(parsed.prefix, prefix);
        assert!(parsed.matches(&stored));
        let mut other = key.clone();
        other.replace_range(key.len() - 1.., if key.ends_with('0') { "1" } else { "0" });
        assert!(!ApiKeyText::parse(&other).unwrap().matches(&stored));
        for bad in ["", "atr_", "atr_abc_def", &key[..key.len() - 1], &key.replace("atr_", "atk_"), "eyJhbGciOi.x.y"] {
            assert!(ApiKeyText::parse(bad).is_none(), "{bad}");
        }
    }

    /// Keys with a 15-minute lifetime, and an owner's token of tenant `acme` signed with them.
    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const ISSUER: &str = "https://atrium.example";

    fn keys(secret: &[u8], previous: Option<&[u8]>) -> TokenKeys {
        TokenKeys::new(secret, previous, ISSUER, Duration::from_secs(900))
    }

    fn subject(security_version: i32) -> Subject<'static> {
        Subject {
            user_id: Uuid::new_v4(),
            role: Role::Owner,
            email: "a@b.c",
            security_version,
            session_id: Uuid::new_v4(),
        }
    }

    fn keys_and_token(security_version: i32) -> (TokenKeys, String) {
        let keys = keys(SECRET, None);
        let token = keys.issue_access(&Tenant::for_tests("acme"), &subject(security_version)).unwrap();
        (keys, token)
    }

    /// A token with these claims and header, signed with `secret`.
    fn signed(claims: &serde_json::Value, typ: Option<&str>, kid: Option<String>, secret: &[u8]) -> String {
        let mut header = Header::new(Algorithm::HS256);
        header.typ = typ.map(str::to_string);
        header.kid = kid;
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret)).unwrap()
    }

    #[test]
    fn header_names_type_and_key_and_claims_name_issuer_and_audience() {
        let (keys, token) = keys_and_token(1);
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        assert_eq!(header.kid.as_deref(), Some(keys.current.kid.as_str()));
        assert_eq!(keys.current.kid.len(), 16);
        let claims = keys.verify_access(&token).unwrap();
        assert_eq!(claims.iss, ISSUER);
        assert_eq!(claims.aud, "https://atrium.example/api");
        assert_eq!(claims.nbf, claims.iat);
    }

    #[test]
    fn wrong_type_issuer_audience_or_future_nbf_is_refused() {
        let (keys, token) = keys_and_token(1);
        let claims = keys.verify_access(&token).unwrap();
        let good = serde_json::to_value(&*claims).unwrap();
        let kid = Some(keys.current.kid.clone());
        assert!(keys.verify_access(&signed(&good, Some("at+jwt"), kid.clone(), SECRET)).is_some(), "control");
        assert!(keys.verify_access(&signed(&good, Some("JWT"), kid.clone(), SECRET)).is_none(), "typ JWT");
        assert!(keys.verify_access(&signed(&good, None, kid.clone(), SECRET)).is_none(), "no typ");
        assert!(keys.verify_access(&signed(&good, Some("at+jwt"), None, SECRET)).is_none(), "no kid");
        for (claim, value) in [
            ("iss", serde_json::json!("https://evil.example")),
            ("aud", serde_json::json!("https://atrium.example")),
            ("nbf", serde_json::json!(claims.iat + 3600)),
        ] {
            let mut changed = good.clone();
            changed[claim] = value;
            assert!(keys.verify_access(&signed(&changed, Some("at+jwt"), kid.clone(), SECRET)).is_none(), "{claim}");
        }
        let mut without_aud = good.clone();
        without_aud.as_object_mut().unwrap().remove("aud");
        assert!(keys.verify_access(&signed(&without_aud, Some("at+jwt"), kid, SECRET)).is_none(), "aud missing");
    }

    #[test]
    fn unsigned_and_foreign_algorithm_tokens_are_refused() {
        let (keys, token) = keys_and_token(1);
        let mut parts = token.split('.');
        let (header, payload) = (parts.next().unwrap(), parts.next().unwrap());
        let mut none: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
        none["alg"] = serde_json::json!("none");
        let none = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&none).unwrap());
        assert!(keys.verify_access(&format!("{none}.{payload}.")).is_none(), "alg none");
        let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        let mut h512 = Header::new(Algorithm::HS512);
        h512.typ = Some(ACCESS_TYP.into());
        h512.kid = Some(keys.current.kid.clone());
        let other = jsonwebtoken::encode(&h512, &claims, &EncodingKey::from_secret(SECRET)).unwrap();
        assert!(keys.verify_access(&other).is_none(), "HS512 with the right secret");
    }

    #[test]
    fn a_rotated_out_key_still_verifies_until_it_is_dropped() {
        const NEW: &[u8] = b"fedcba9876543210fedcba9876543210";
        let (old_keys, old_token) = keys_and_token(1);
        let rotating = keys(NEW, Some(SECRET));
        assert!(rotating.verify_access(&old_token).is_some(), "signed with the previous key");
        let new_token = rotating.issue_access(&Tenant::for_tests("acme"), &subject(1)).unwrap();
        assert_eq!(jsonwebtoken::decode_header(&new_token).unwrap().kid.unwrap(), rotating.current.kid);
        assert!(old_keys.verify_access(&new_token).is_none(), "the old key alone cannot verify new tokens");
        assert!(keys(NEW, None).verify_access(&old_token).is_none(), "previous key dropped");
        // A kid that names the current key but a signature of another: refused.
        let claims = serde_json::to_value(&*rotating.verify_access(&new_token).unwrap()).unwrap();
        let forged = signed(&claims, Some("at+jwt"), Some(rotating.current.kid.clone()), SECRET);
        assert!(rotating.verify_access(&forged).is_none());
    }

    #[test]
    fn access_token_round_trip_and_type_check() {
        let (keys, token) = keys_and_token(3);
        let claims = keys.verify_access(&token).unwrap();
        assert_eq!(claims.tenant, "acme");
        assert!(claims.is_owner);
        assert_eq!(claims.exp - claims.iat, 900);
        assert_eq!(claims.sv, 3);

        let other = super::tests::keys(b"another secret of enough length!", None);
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

    #[test]
    fn a_successor_is_fixed_by_its_predecessor_and_the_key() {
        let slug = Slug::parse("acme").unwrap();
        let keys = keys(SECRET, None);
        let first = new_tenant_token(&slug);
        let next = keys.successor(&slug, &first);
        assert_eq!(keys.successor(&slug, &first), next, "the same for a second exchange");
        assert_eq!(token_tenant(&next).unwrap().as_str(), "acme", "shaped like any refresh token");
        assert_ne!(keys.successor(&slug, &next), next);
        assert_ne!(
            super::TokenKeys::new(b"fedcba9876543210fedcba9876543210", None, ISSUER, Duration::from_secs(1))
                .successor(&slug, &first),
            next
        );
    }
}
