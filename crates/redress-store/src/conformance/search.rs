//! Conformance checks of finding cases (`CaseFilter::search`). Ranking differs by backend: the checks
//! compare the set of cases found, never their order, except where the order is the contract (newest
//! first, page after page).

use std::collections::BTreeSet;

use jiff::civil::date;
use redress_domain::event::{CaseEvent, Channel, Event};

use super::new_case;
use crate::search::SearchQuery;
use crate::{CaseFilter, Complainant, NewCase, Sort, Store};

fn person(name: &str, email: &str, phone: &str, address: &str) -> Complainant {
    Complainant {
        name: Some(name.into()),
        email: Some(email.into()),
        phone: Some(phone.into()),
        address: Some(address.into()),
        ..Complainant::default()
    }
}

/// Four people and their complaints: each query below finds exactly the cases named.
fn four_cases() -> Vec<(&'static str, NewCase)> {
    let case = |who: Complainant, summary: &str| {
        let mut c = new_case(date(2026, 3, 2), "code-2024");
        c.complainant = Some(who);
        c.summary = summary.into();
        c
    };
    vec![
        (
            "zoe",
            case(
                person(
                    "Zoë Thistlewood",
                    "zoe.thistlewood@example.org",
                    "+44 7700 900123",
                    "Flat 2, 12 Acacia Road, Leeds LS6 2AB",
                ),
                "Damp and mould in the bedroom since October.",
            ),
        ),
        (
            "mark",
            case(
                person(
                    "Mark Thistlewood",
                    "mark.t@example.net",
                    "0113 496 0000",
                    "7 Quarry Hill, Leeds LS2 7EY",
                ),
                "The boiler failed twice; the engineer never came.",
            ),
        ),
        (
            "priya",
            case(
                person(
                    "Priya Ravindran",
                    "priya@example.org",
                    "020 7946 0958",
                    "44 Brixton Hill, London SW2 1RW",
                ),
                "A leak from the flat above has stained the ceiling.",
            ),
        ),
        ("anonymous", {
            let mut c = new_case(date(2026, 3, 3), "code-2024");
            c.complainant = None;
            c.summary = "Rats in the bin store behind Acacia Road.".into();
            c
        }),
    ]
}

/// The names of the cases a search finds, as a set (order is each backend's own).
async fn found(
    store: &dyn Store,
    names: &std::collections::BTreeMap<String, &'static str>,
    filter: &CaseFilter,
) -> BTreeSet<&'static str> {
    let page = store.list_cases(filter).await.expect("search");
    let count = store.count_matching(filter, 100).await.expect("count");
    assert_eq!(
        count as usize,
        page.items.len(),
        "count agrees with the page"
    );
    page.items.iter().map(|c| names[&c.reference]).collect()
}

fn searching(text: &str) -> CaseFilter {
    CaseFilter {
        search: SearchQuery::parse(text, true).expect("a valid search"),
        include_confidential: true,
        limit: 200,
        ..CaseFilter::default()
    }
}

/// A case is found by its reference, its complainant's name, email, telephone, postcode and address, and
/// the words of its summary; by the start of a word; with or without accents, spaces, `+44` and dashes.
pub async fn search_finds_cases_by_each_field(store: &dyn Store) {
    let mut names = std::collections::BTreeMap::new();
    for (name, case) in four_cases() {
        let (reference, _) = store.create_case(case).await.expect("create");
        names.insert(reference, name);
    }
    let zoe_ref = names
        .iter()
        .find(|(_, n)| **n == "zoe")
        .expect("zoe")
        .0
        .clone();
    let expect = |list: &[&'static str]| list.iter().copied().collect::<BTreeSet<_>>();
    for (text, wanted) in [
        (zoe_ref.to_lowercase(), expect(&["zoe"])),
        ("Thistlewood".into(), expect(&["zoe", "mark"])),
        ("thistle".into(), expect(&["zoe", "mark"])),
        ("zoe thistlewood".into(), expect(&["zoe"])),
        ("Zoë".into(), expect(&["zoe"])),
        ("ZOE.THISTLEWOOD@EXAMPLE.ORG".into(), expect(&["zoe"])),
        ("mark.t@example.net".into(), expect(&["mark"])),
        ("example.org".into(), expect(&["zoe", "priya"])),
        ("07700 900123".into(), expect(&["zoe"])),
        ("+44 7700-900-123".into(), expect(&["zoe"])),
        ("900123".into(), expect(&["zoe"])),
        ("+44 20 7946 0958".into(), expect(&["priya"])),
        ("LS6 2AB".into(), expect(&["zoe"])),
        ("ls62ab".into(), expect(&["zoe"])),
        ("sw2 1rw".into(), expect(&["priya"])),
        ("Leeds".into(), expect(&["zoe", "mark"])),
        ("acacia road".into(), expect(&["zoe", "anonymous"])),
        ("Quarry".into(), expect(&["mark"])),
        ("mould".into(), expect(&["zoe"])),
        ("boiler engineer".into(), expect(&["mark"])),
        ("ceiling".into(), expect(&["priya"])),
        ("rats".into(), expect(&["anonymous"])),
        ("nobody-here".into(), expect(&[])),
        ("CMP-1999-000001".into(), expect(&[])),
    ] {
        assert_eq!(
            found(store, &names, &searching(&text)).await,
            wanted,
            "search for {text:?}"
        );
    }
}

/// Text that is syntax to a query language is searched as words: never an error, never anything but
/// what its words find.
pub async fn search_takes_hostile_text_as_words(store: &dyn Store) {
    let mut names = std::collections::BTreeMap::new();
    for (name, case) in four_cases() {
        let (reference, _) = store.create_case(case).await.expect("create");
        names.insert(reference, name);
    }
    for text in [
        "\"",
        "*",
        "\"\"*",
        "NEAR(",
        "NEAR(leeds quarry, 2)",
        "'; DROP TABLE cases; --",
        "leeds OR priya",
        "NOT leeds",
        "words : damp",
        "{words keys}: damp",
        "damp:* | leak",
        "^damp",
        "!leak & (ceiling",
        "\\",
        "%",
        "_",
        "the and or",
    ] {
        let filter = searching(text);
        let hits = found(store, &names, &filter).await;
        // Read as its words, each matches at most the cases that have all of them (a stop word such as
        // `not` is dropped by PostgreSQL's English dictionary and kept by FTS5).
        let allowed: BTreeSet<&str> = match text {
            "NOT leeds" => ["zoe", "mark"].into(),
            "^damp" => ["zoe"].into(),
            "!leak & (ceiling" => ["priya"].into(),
            _ => BTreeSet::new(),
        };
        assert!(hits.is_subset(&allowed), "{text:?} found {hits:?}");
    }
    // The table is still there, and operators are only words.
    assert_eq!(store.count_cases().await.expect("count"), 4);
    assert_eq!(
        found(store, &names, &searching("^damp")).await,
        ["zoe"].into()
    );
    assert_eq!(
        found(store, &names, &searching("!leak & (ceiling")).await,
        ["priya"].into()
    );
}

/// A search keeps the confidential cases of others out, combines with the other filters, pages newest
/// first with its cursor, and, for whoever may not see personal data, finds by reference only.
pub async fn search_respects_confidentiality_filters_and_pages(store: &dyn Store) {
    let mut names = std::collections::BTreeMap::new();
    let mut order = Vec::new();
    for (i, name) in ["a", "b", "c", "d", "e", "secret"].into_iter().enumerate() {
        let mut c = new_case(date(2026, 3, 2), "code-2024");
        c.complainant = Some(person(
            &format!("Resident {name} Marchbank"),
            &format!("{name}@example.org"),
            "0113 496 0001",
            "1 Mill Lane, Otley LS21 1AA",
        ));
        c.confidential = name == "secret";
        c.received = CaseEvent::new(
            Event::received(date(2026, 3, 2), Channel::Letter),
            Some("officer-9"),
        );
        c.projection.is_open = i % 2 == 0;
        let (reference, _) = store.create_case(c).await.expect("create");
        names.insert(reference.clone(), name);
        order.push(reference);
    }
    let visible = |confidential_for: Option<&str>| CaseFilter {
        include_confidential: false,
        confidential_for: confidential_for.map(Into::into),
        ..searching("marchbank")
    };
    assert_eq!(
        found(store, &names, &visible(None)).await,
        ["a", "b", "c", "d", "e"].into()
    );
    assert_eq!(
        found(store, &names, &visible(Some("officer-9"))).await,
        ["a", "b", "c", "d", "e", "secret"].into(),
        "its author finds it"
    );
    assert_eq!(
        found(store, &names, &searching("secret@example.org")).await,
        ["secret"].into()
    );
    let secret = &order[5];
    assert!(
        found(store, &names, &visible(Some("officer-2")))
            .await
            .iter()
            .all(|n| *n != "secret")
    );
    let by_reference = CaseFilter {
        search: SearchQuery::parse(secret, false).expect("valid"),
        ..visible(None)
    };
    assert_eq!(
        found(store, &names, &by_reference).await,
        BTreeSet::new(),
        "not by its reference either"
    );
    let open = CaseFilter {
        open_only: true,
        ..searching("ls21 1aa")
    };
    assert_eq!(
        found(store, &names, &open).await,
        ["a", "c", "e"].into(),
        "with another filter"
    );
    search_pages_newest_first(store, &names, &order).await;
    viewers_find_by_reference_only(store, &names, &order).await;
}

async fn search_pages_newest_first(
    store: &dyn Store,
    names: &std::collections::BTreeMap<String, &'static str>,
    order: &[String],
) {
    let mut filter = CaseFilter {
        limit: 2,
        ..searching("Marchbank")
    };
    let mut seen = Vec::new();
    loop {
        let page = store.list_cases(&filter).await.expect("page");
        seen.extend(page.items.iter().map(|c| c.reference.clone()));
        match page.next {
            Some(cursor) => {
                assert_eq!(cursor.sort, Sort::Newest);
                filter.after = Some(cursor);
            }
            None => break,
        }
    }
    let newest_first: Vec<String> = order.iter().rev().cloned().collect();
    assert_eq!(seen, newest_first, "newest first, page after page");
    assert_eq!(
        store
            .count_matching(&searching("Marchbank"), 3)
            .await
            .expect("count"),
        4,
        "counted up to the cap and one more"
    );
    assert_eq!(names.len(), 6);
}

async fn viewers_find_by_reference_only(
    store: &dyn Store,
    names: &std::collections::BTreeMap<String, &'static str>,
    order: &[String],
) {
    let as_viewer = |text: &str| CaseFilter {
        search: SearchQuery::parse(text, false).expect("valid"),
        limit: 200,
        ..CaseFilter::default()
    };
    for text in [
        "Marchbank",
        "a@example.org",
        "ls21 1aa",
        "0113 496 0001",
        "mill",
    ] {
        assert_eq!(
            found(store, names, &as_viewer(text)).await,
            BTreeSet::new(),
            "a viewer's {text:?}"
        );
    }
    assert_eq!(
        found(store, names, &as_viewer(&order[0])).await,
        ["a"].into()
    );
}

/// Cases brought in by bulk import are found, and so is a case created afterwards.
pub async fn cases_imported_in_bulk_and_created_after_are_found(store: &dyn Store) {
    let mut bulk = Vec::new();
    for i in 0..50 {
        let mut c = new_case(date(2025, 6, 2), "code-2024");
        c.complainant = Some(person(
            &format!("Bulk Person{i}"),
            &format!("bulk{i}@example.org"),
            &format!("01632 960{i:03}"),
            &format!("{i} Sample Street, Testbury TE{} 4XY", i % 9 + 1),
        ));
        c.summary = format!("Imported complaint number {i} about the lift.");
        bulk.push((c, Vec::new()));
    }
    let references = store.import_cases(bulk).await.expect("import");
    store.after_bulk_load().await.expect("after bulk load");
    let (later, _) = store
        .create_case({
            let mut c = new_case(date(2026, 3, 2), "code-2024");
            c.complainant = Some(person(
                "Late Arrival",
                "late@example.org",
                "01632 960999",
                "9 Sample Street, Testbury TE1 4XY",
            ));
            c.summary = "The lift again.".into();
            c
        })
        .await
        .expect("create");
    let mut names = std::collections::BTreeMap::new();
    let labels: Vec<&'static str> = (0..50)
        .map(|i| &*Box::leak(format!("bulk{i}").into_boxed_str()))
        .collect();
    for (reference, label) in references.iter().zip(&labels) {
        names.insert(reference.clone(), *label);
    }
    names.insert(later.clone(), "later");
    assert_eq!(found(store, &names, &searching("lift")).await.len(), 51);
    assert_eq!(
        found(store, &names, &searching("te1 4xy")).await,
        [
            "bulk0", "bulk9", "bulk18", "bulk27", "bulk36", "bulk45", "later"
        ]
        .into()
    );
    assert_eq!(
        found(store, &names, &searching("01632 960017")).await,
        ["bulk17"].into()
    );
    assert_eq!(
        found(store, &names, &searching("arrival")).await,
        ["later"].into()
    );
    let first = store
        .list_cases(&CaseFilter {
            limit: 1,
            ..searching("lift")
        })
        .await
        .expect("search");
    assert_eq!(
        first.items[0].reference, later,
        "the newest is listed first"
    );
}
