//! Sign-in throttling, kept in the database so that it survives a restart and, on PostgreSQL, holds across
//! every instance sharing the database.
//!
//! Each failed sign-in is stored with a key for the account tried and the client's address. Before a
//! password is checked, the failures in three scopes are counted: against that account, from that address,
//! and overall. When any scope has reached its limit within its window, the attempt is refused before the
//! password is looked at, with the time until that scope's count falls below the limit again. Unknown
//! accounts are counted exactly like real ones, so the answer says nothing about who has an account. A
//! successful sign-in forgets the account's failures.
//!
//! Personal data is kept to a minimum: the account key is a SHA-256 hash of the lower-cased email (the email
//! itself is never stored here, nor logged), the address is the connection's IP address (an IPv6 address
//! cut to its /64, which one client usually holds whole), and rows are deleted once older than the longest
//! window. The hash is not keyed: it keeps emails out of the table and its backups, but someone holding the
//! table and guessing an email can confirm the guess. Neither email nor address is logged.
//!
//! Two attempts at the same moment may both be checked when only one was left before the limit: the
//! counts are read, not reserved, so a burst can exceed a limit by about the number of attempts in flight.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use jiff::{SignedDuration, Timestamp};
use redress_store::{SignInScope, Store, StoreError, StoreResult, utc_text};
use sha2::{Digest, Sha256};

/// How many failed sign-ins are allowed in each scope within its window. A limit of 0 switches that scope
/// off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    /// Failures against one account.
    pub per_account: u32,
    /// The window for [`SignInLimits::per_account`].
    pub account_window: Duration,
    /// Failures from one client address, whichever accounts were tried.
    pub per_address: u32,
    /// The window for [`SignInLimits::per_address`].
    pub address_window: Duration,
    /// Failures across the whole service: a ceiling on guessing spread over many addresses.
    pub overall: u32,
    /// The window for [`SignInLimits::overall`].
    pub overall_window: Duration,
}

/// Failures allowed against one account within [`ACCOUNT_WINDOW`].
pub const PER_ACCOUNT: u32 = 5;
/// The per-account window.
pub const ACCOUNT_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures allowed from one address within [`ADDRESS_WINDOW`].
pub const PER_ADDRESS: u32 = 20;
/// The per-address window.
pub const ADDRESS_WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failures allowed across the service within [`OVERALL_WINDOW`].
pub const OVERALL: u32 = 200;
/// The overall window.
pub const OVERALL_WINDOW: Duration = Duration::from_secs(60);

impl Default for SignInLimits {
    fn default() -> SignInLimits {
        SignInLimits {
            per_account: PER_ACCOUNT,
            account_window: ACCOUNT_WINDOW,
            per_address: PER_ADDRESS,
            address_window: ADDRESS_WINDOW,
            overall: OVERALL,
            overall_window: OVERALL_WINDOW,
        }
    }
}

impl SignInLimits {
    /// The longest window: failures older than this count nowhere and are pruned.
    pub fn longest_window(&self) -> Duration {
        self.account_window
            .max(self.address_window)
            .max(self.overall_window)
    }
}

/// The key failures against an account are stored under: SHA-256 of the email as the form normalises it
/// (trimmed, lower-cased), hex.
pub fn account_key(email: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"redress sign-in account\0");
    hash.update(email.trim().to_lowercase().as_bytes());
    hex::encode(hash.finalize())
}

/// The address failures are stored under: an IPv4 address as it is (also when it arrives IPv4-mapped), an
/// IPv6 address as its /64, and `unknown` when the connection's address is not known (the router served
/// without connection info), which all such attempts then share.
pub fn address_key(ip: Option<IpAddr>) -> String {
    match ip.map(|ip| ip.to_canonical()) {
        None => "unknown".into(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            let prefix = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{prefix}/64")
        }
    }
}

/// The address of the client on the other end of the connection, when the server records it (see
/// [`crate::serve`]). Behind a reverse proxy this is the proxy's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<St: Send + Sync> FromRequestParts<St> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &St) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}

/// Which scope refused an attempt (for the log: no personal data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Too many failures against the account.
    Account,
    /// Too many failures from the address.
    Address,
    /// Too many failures overall.
    Overall,
}

impl Refused {
    /// The scope's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Refused::Account => "account",
            Refused::Address => "address",
            Refused::Overall => "overall",
        }
    }
}

/// A refusal: which scope (the longest wait, when several), and how long until an attempt may be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// The scope whose wait is longest.
    pub scope: Refused,
    /// How long to wait, in whole seconds (at least 1).
    pub retry_after: u64,
}

impl Throttled {
    /// The wait in whole minutes, rounded up (at least 1), for the page.
    pub fn minutes(&self) -> u64 {
        self.retry_after.div_ceil(60).max(1)
    }
}

fn before(now: Timestamp, d: Duration) -> Timestamp {
    let d = SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX);
    now.checked_sub(d).unwrap_or(Timestamp::MIN)
}

/// Whether an attempt on `account` from `address` at `now` must be refused, and for how long. Reads the
/// store only.
pub async fn check(
    store: &dyn Store,
    limits: &SignInLimits,
    account: &str,
    address: &str,
    now: Timestamp,
) -> StoreResult<Option<Throttled>> {
    let mut refused: Option<Throttled> = None;
    for (scope, which, limit, window) in [
        (
            SignInScope::Account(account),
            Refused::Account,
            limits.per_account,
            limits.account_window,
        ),
        (
            SignInScope::Address(address),
            Refused::Address,
            limits.per_address,
            limits.address_window,
        ),
        (
            SignInScope::Overall,
            Refused::Overall,
            limits.overall,
            limits.overall_window,
        ),
    ] {
        if limit == 0 {
            continue;
        }
        let since = utc_text(before(now, window));
        let recent = store.recent_sign_in_failures(scope, &since, limit).await?;
        let Some(nth) = recent.get(limit as usize - 1) else {
            continue;
        };
        // The count falls below the limit when the `limit`-th newest failure leaves the window.
        let nth: Timestamp = nth.parse().map_err(|e| {
            StoreError::Other(format!("a stored sign-in failure time does not parse: {e}"))
        })?;
        let wait = nth
            .checked_add(SignedDuration::try_from(window).unwrap_or(SignedDuration::MAX))
            .unwrap_or(Timestamp::MAX)
            .duration_since(now);
        let secs = u64::try_from(wait.as_secs()).unwrap_or(0);
        let secs = if wait.subsec_nanos() > 0 {
            secs + 1
        } else {
            secs
        }
        .max(1);
        if refused.is_none_or(|r| secs > r.retry_after) {
            refused = Some(Throttled {
                scope: which,
                retry_after: secs,
            });
        }
    }
    Ok(refused)
}

/// Records a failed attempt, and prunes failures too old to count anywhere.
pub async fn failed(
    store: &dyn Store,
    limits: &SignInLimits,
    account: &str,
    address: &str,
    now: Timestamp,
) -> StoreResult<()> {
    store
        .record_sign_in_failure(account, address, &utc_text(now))
        .await?;
    store
        .prune_sign_in_failures(&utc_text(before(now, limits.longest_window())))
        .await?;
    Ok(())
}

/// Forgets the account's failures after it signed in.
pub async fn succeeded(store: &dyn Store, account: &str) -> StoreResult<()> {
    store.clear_sign_in_failures(account).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_keys_ignore_case_and_spaces_and_hide_the_email() {
        let key = account_key("Officer@Example.org ");
        assert_eq!(key, account_key("officer@example.org"));
        assert_ne!(key, account_key("officer2@example.org"));
        assert_eq!(key.len(), 64);
        assert!(!key.contains("officer"));
    }

    #[test]
    fn addresses_are_ipv4_as_is_and_ipv6_by_64() {
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap_or(IpAddr::from([0, 0, 0, 0])));
        assert_eq!(address_key(ip("192.0.2.7")), "192.0.2.7");
        assert_eq!(address_key(ip("::ffff:192.0.2.7")), "192.0.2.7");
        assert_eq!(
            address_key(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            address_key(ip("2001:db8:1:2::1")),
            address_key(ip("2001:db8:1:2:ffff::9"))
        );
        assert_ne!(
            address_key(ip("2001:db8:1:2::1")),
            address_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(address_key(None), "unknown");
    }

    #[test]
    fn waits_are_shown_in_whole_minutes_rounded_up() {
        let t = |retry_after| Throttled {
            scope: Refused::Account,
            retry_after,
        };
        assert_eq!(t(1).minutes(), 1);
        assert_eq!(t(60).minutes(), 1);
        assert_eq!(t(61).minutes(), 2);
        assert_eq!(t(900).minutes(), 15);
    }
}
