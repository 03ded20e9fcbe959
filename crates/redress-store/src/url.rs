//! Database URLs as they may be shown in logs, error messages and on the terminal: passwords hidden.

/// The URL with every password replaced by `***`: the one in the userinfo (`postgres://user:secret@host/db`)
/// and any query parameter whose key names a password (`?password=secret`, `?sslpassword=…`; keys matched
/// case-insensitively, after percent-decoding). Anything else is kept, so that the URL still says which
/// database was meant.
///
/// A password that was not percent-encoded may hold `/`, `?` or `@`: the userinfo runs to the last `@`
/// that is not inside a `key=value` query, so that such a password is hidden rather than split.
pub fn redact_url(url: &str) -> String {
    let (prefix, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let first_query = rest.find('?');
    let in_query = |at: usize| match first_query {
        Some(q) if q < at => rest[q..at].contains('='),
        _ => false,
    };
    let at = rest
        .rfind('@')
        .filter(|&at| !in_query(at))
        .or_else(|| first_query.and_then(|q| rest[..q].rfind('@')));
    let mut out = String::with_capacity(url.len());
    out.push_str(prefix);
    let after_userinfo = match at {
        // Only a URL with a scheme has a userinfo; `user@host` alone is left as it is.
        Some(at) if !prefix.is_empty() => {
            let userinfo = &rest[..at];
            match userinfo.split_once(':') {
                Some((user, _)) => {
                    out.push_str(user);
                    out.push_str(":***");
                }
                None => out.push_str(userinfo),
            }
            out.push('@');
            &rest[at + 1..]
        }
        _ => rest,
    };
    let (base, query) = match after_userinfo.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (after_userinfo, None),
    };
    out.push_str(base);
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if names_a_password(k) => format!("{k}=***"),
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}

/// Whether a query key (percent-encoded, any case) names a password.
fn names_a_password(key: &str) -> bool {
    percent_decode(key)
        .to_ascii_lowercase()
        .contains("password")
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let value = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn a_password_in_the_userinfo_is_hidden() {
        assert_eq!(
            redact_url("postgres://redress:s3cret@db.example:5432/redress?sslmode=require"),
            "postgres://redress:***@db.example:5432/redress?sslmode=require"
        );
        assert_eq!(
            redact_url("postgresql://u:s3cret@h/db"),
            "postgresql://u:***@h/db"
        );
        // Not percent-encoded, with characters that end a userinfo elsewhere.
        assert_eq!(
            redact_url("postgres://u:pa/ss?w@rd@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(redact_url("postgres://u:@h/db"), "postgres://u:***@h/db");
    }

    #[test]
    fn a_password_in_the_query_is_hidden_whatever_its_case() {
        assert_eq!(
            redact_url("postgresql://db/redress?user=r&password=s3cret"),
            "postgresql://db/redress?user=r&password=***"
        );
        assert_eq!(
            redact_url("postgres://db/redress?PassWord=s3cret&sslmode=require"),
            "postgres://db/redress?PassWord=***&sslmode=require"
        );
        assert_eq!(
            redact_url("postgres://db/x?pass%77ord=s3cret&sslpassword=k3y"),
            "postgres://db/x?pass%77ord=***&sslpassword=***"
        );
        // An `@` in a query password does not make the rest of the URL a userinfo.
        assert_eq!(
            redact_url("postgres://h/db?password=se@cret"),
            "postgres://h/db?password=***"
        );
    }

    #[test]
    fn both_places_at_once() {
        let shown =
            redact_url("postgres://u:one@h:5432/db?password=two@x&application_name=redress");
        assert_eq!(
            shown,
            "postgres://u:***@h:5432/db?password=***&application_name=redress"
        );
        assert!(!shown.contains("one") && !shown.contains("two"));
    }

    #[test]
    fn urls_without_passwords_are_unchanged() {
        for url in [
            "postgres://postgres@127.0.0.1:5432/x",
            "postgres://db/redress?sslmode=require",
            "sqlite://redress-data/redress.db",
            "sqlite://data/r.db?synchronous=normal",
            "sqlite:relative.db",
        ] {
            assert_eq!(redact_url(url), url);
        }
    }
}
