//! `redress generate`: fills a database with realistic, plainly fictional complaints, for load tests and
//! demonstrations.
//!
//! Every case is built with the domain: each step is put to `Case::decide` under the case's policy before
//! `Case::apply`, so that the stored events are legal, and the projection the work queues read is computed
//! as the service computes it (`redress_web::api::project`) as of the `--as-of` day. The mix:
//!
//! - received over the five years before the as-of day; most under `code-2024`, the rest spread over the
//!   other shipped policies; channels weighted towards email, telephone and the web;
//! - about 4% still open: awaiting acknowledgement, investigating, responded, or at stage 2; the rest
//!   closed after a stage 1 response (about a tenth after a stage 2 response), a few withdrawn or not
//!   accepted;
//! - some acknowledged or answered late, some extended, about one in ten escalated;
//! - 50 officers (`officer-01` … `officer-50`) as assignees; complainants with fictional names (24 first
//!   names and about 300 surnames made from the lists below), `example.org` email addresses, Ofcom's drama
//!   telephone numbers (14 ranges of 1,000 set aside for fiction: 07700 900xxx, 020 7946 0xxx, 0113 496
//!   0xxx, …, 01632 960xxx), and addresses on invented streets and towns with postcodes of the UK's shape
//!   (`TB7 4QX`): enough variety for searches to be as selective as on a landlord's real cases.
//!
//! The same seed gives the same cases (their ids, UUIDv7s, are new each run). Cases are written in batches
//! with [`redress_store::Store::import_cases`], one transaction a batch, while the next batch is built on
//! another thread.

use std::sync::Arc;
use std::time::Instant;

use jiff::civil::Date;
use redress_domain::calendar::BankHolidays;
use redress_domain::event::{
    CaseEvent, Channel, CloseReason, Event, Head, Outcome, Relationship, Remedy, RemedyKind,
};
use redress_domain::policy::Policy;
use redress_domain::presets::{DEFAULT_PRESET, PRESETS};
use redress_domain::{Case, State};
use redress_store::{Complainant, NewCase, StoredEvent, new_id};
use redress_web::LoadedPolicy;

/// What `redress generate` was asked for.
pub struct Options {
    /// Database URL.
    pub database_url: String,
    /// Cases to insert.
    pub cases: u64,
    /// PRNG seed.
    pub seed: u64,
    /// The day the cases are generated as of: nothing happens after it.
    pub as_of: Date,
    /// Cases a transaction.
    pub batch: usize,
    /// Insert nothing when the database already holds at least this many cases (so that a benchmark can be
    /// run again without generating again).
    pub skip_if_at_least: Option<u64>,
}

/// Number of officers cases are assigned to.
pub const OFFICERS: u64 = 50;

/// Runs the generator; progress on standard error, the summary on standard output.
pub async fn run(o: Options) -> Result<(), String> {
    let store = redress::open_and_migrate(&o.database_url)
        .await
        .map_err(|e| format!("database: {e}"))?;
    let existing = store
        .count_cases()
        .await
        .map_err(|e| format!("database: {e}"))?;
    let existing = u64::try_from(existing).unwrap_or(0);
    let wanted = match o.skip_if_at_least {
        Some(n) if existing >= n => 0,
        _ => o.cases,
    };
    if wanted == 0 {
        println!(
            "the {} database already holds {existing} cases: nothing to generate",
            store.backend()
        );
        return Ok(());
    }
    let mut policies = Vec::new();
    for preset in PRESETS {
        let record = store
            .policy(preset.id, None)
            .await
            .map_err(|e| format!("policy {}: {e}", preset.id))?;
        let policy = Policy::from_toml(&record.toml)
            .map_err(|e| format!("installed policy {} does not load: {e}", preset.id))?;
        let calendar = policy.working_calendar(BankHolidays::embedded());
        let weight = if preset.id == DEFAULT_PRESET { 70 } else { 5 };
        policies.push((
            Arc::new(LoadedPolicy {
                record,
                policy,
                calendar,
            }),
            weight,
        ));
    }
    let generator = Generator::new(o.seed, o.as_of, policies);
    let batch = o.batch.max(1);
    // Case numbers continue after those already there, so that generating again adds different cases.
    let first = existing;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<(NewCase, Vec<StoredEvent>)>>(2);
    let building = tokio::task::spawn_blocking(move || {
        let mut stats = Stats::default();
        let mut i = first;
        let end = first + wanted;
        while i < end {
            let n = (end - i).min(batch as u64);
            let cases: Vec<_> = (i..i + n).map(|k| generator.case(k, &mut stats)).collect();
            i += n;
            if tx.blocking_send(cases).is_err() {
                break;
            }
        }
        stats
    });
    let started = Instant::now();
    let mut done = 0u64;
    let mut last_report = Instant::now();
    while let Some(cases) = rx.recv().await {
        let n = cases.len() as u64;
        store
            .import_cases(cases)
            .await
            .map_err(|e| format!("database: {e}"))?;
        done += n;
        if last_report.elapsed().as_secs_f64() >= 2.0 || done == wanted {
            last_report = Instant::now();
            let secs = started.elapsed().as_secs_f64();
            eprintln!(
                "  {done} / {wanted} cases ({:.0}%), {secs:.1} s, {:.0} a second",
                100.0 * done as f64 / wanted as f64,
                done as f64 / secs.max(1e-9)
            );
        }
    }
    let stats = building
        .await
        .map_err(|e| format!("the generator stopped: {e}"))?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!("  refreshing the database's statistics");
    store
        .after_bulk_load()
        .await
        .map_err(|e| format!("database: {e}"))?;
    if stats.refused > 0 {
        eprintln!(
            "note: {} cases end early because the domain refused a step (first: {})",
            stats.refused,
            stats.first_refusal.as_deref().unwrap_or("?")
        );
    }
    println!(
        "generated {done} cases ({} still open) in {secs:.1} s, {:.0} a second, into {} (now {} cases)",
        stats.open,
        done as f64 / secs.max(1e-9),
        store.backend(),
        existing + done
    );
    Ok(())
}

/// What the generator noticed.
#[derive(Debug, Default)]
pub struct Stats {
    /// Cases left open.
    pub open: u64,
    /// Cases whose timeline the domain cut short.
    pub refused: u64,
    /// The first refusal, for the report.
    pub first_refusal: Option<String>,
    /// Optional steps (extensions, definitions) the policy refused, and that were left out.
    pub skipped: u64,
}

/// A small, fast, deterministic PRNG (SplitMix64): enough for test data, no dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut r = Rng(seed);
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (the modulo bias is negligible for the small `n` used here).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below(u64::from(hi - lo) + 1) as u32
    }

    /// True with probability `per_mille / 1000`.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const FIRST_NAMES: &[&str] = &[
    "Ada",
    "Bramble",
    "Clementine",
    "Dorian",
    "Esmerelda",
    "Fennimore",
    "Gulliver",
    "Hortensia",
    "Ignatius",
    "Juniper",
    "Kestrel",
    "Lysander",
    "Marigold",
    "Nettle",
    "Ottoline",
    "Peregrine",
    "Quill",
    "Rosalind",
    "Sorrel",
    "Tobias",
    "Umber",
    "Violetta",
    "Wilbur",
    "Xanthe",
];
const SURNAMES: &[&str] = &[
    "Example",
    "Sample",
    "Placeholder",
    "Testwell",
    "Mockridge",
    "Fakenham",
    "Specimen",
    "Dummington",
    "Fictitious",
    "Pretendergast",
    "Madeup",
    "Notreal",
];
/// Surnames are a start and an end from these, or one of `SURNAMES`.
const SURNAME_STARTS: &[&str] = &[
    "Ash", "Black", "Bram", "Clay", "Dun", "Fair", "Green", "Hart", "Kings", "Mill", "North",
    "Oak", "Pen", "Red", "Shaw", "Stan", "Thorn", "West", "Whit", "Wood", "Hazel", "Marsh",
    "Brook", "Fern",
];
const SURNAME_ENDS: &[&str] = &[
    "ley", "ford", "wood", "field", "ton", "well", "by", "ham", "combe", "more", "bury", "thwaite",
];
/// Ofcom's telephone numbers for drama: each prefix is followed by three digits of our choosing.
const DRAMA_NUMBERS: &[&str] = &[
    "07700 900",
    "020 7946 0",
    "0113 496 0",
    "0114 496 0",
    "0115 496 0",
    "0116 496 0",
    "0117 496 0",
    "0118 496 0",
    "0121 496 0",
    "0131 496 0",
    "0141 496 0",
    "0151 496 0",
    "0161 496 0",
    "01632 960",
];
/// The letters a postcode's inward code may end with.
const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
const STREETS: &[&str] = &[
    "Example Road",
    "Sample Street",
    "Test Lane",
    "Placeholder Close",
    "Fiction Way",
    "Imaginary Avenue",
    "Invented Terrace",
];
const TOWNS: &[&str] = &["Exampleton", "Sampleford", "Testbury", "Mockington"];
/// Each town's postcode area, in the order of `TOWNS`.
const POSTCODE_AREAS: &[&str] = &["XE", "XS", "XT", "XM"];
const SUMMARIES: &[&str] = &[
    "Damp and mould in the bedroom, reported three times since the autumn with no visit.",
    "The boiler has failed twice this winter and the repair appointment was missed.",
    "A leak from the flat above has stained the ceiling; nobody has come to trace it.",
    "The communal lighting on the stairs has been out for weeks.",
    "The lift is out of order again and a disabled resident cannot leave the building.",
    "A member of staff was rude on the telephone and hung up.",
    "The service charge went up with no explanation of what it pays for.",
    "Rent payments are not showing on the account and arrears letters keep coming.",
    "Noise from a neighbour late at night was reported and nothing was done.",
    "Grab rails promised after the occupational therapy assessment have not been fitted.",
    "The window repair was left half finished and the frame does not close.",
    "Rubbish has built up in the bin store and there are rats.",
];
const OUTCOMES_SOUGHT: &[&str] = &[
    "The repair done properly",
    "An apology",
    "Compensation for the damage",
    "An explanation",
    "A named contact",
];
const RELATIONSHIPS: &[&str] = &["daughter", "son", "advocate", "councillor", "MP's office"];

fn officer(k: u64) -> String {
    format!("officer-{:02}", k % OFFICERS + 1)
}

/// Builds cases.
struct Generator {
    seed: u64,
    as_of: Date,
    policies: Vec<(Arc<LoadedPolicy>, u64)>,
    total_weight: u64,
}

/// Where an explicitly open case stops.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    AwaitingAcknowledgement,
    Investigating,
    Responded,
    Stage2AwaitingAcknowledgement,
    Stage2Investigating,
    Never,
}

/// A case being built, step by step.
struct Timeline<'a> {
    loaded: &'a LoadedPolicy,
    as_of: Date,
    case: Case,
    later: Vec<StoredEvent>,
    ended: bool,
}

impl Timeline<'_> {
    /// Records `event` if it happened by the as-of day and the domain allows it. The timeline ends at the
    /// first step that does not: in the future (the case is still open), or refused (counted).
    fn step(&mut self, event: Event, by: &str, rng: &mut Rng, stats: &mut Stats) -> bool {
        if self.ended {
            return false;
        }
        if event.on() > self.as_of {
            self.ended = true;
            return false;
        }
        let kind = event.kind();
        let event = match self.case.admit(
            &self.loaded.policy,
            &self.loaded.calendar,
            self.as_of,
            event,
            Some(by),
        ) {
            Ok(admitted) => admitted,
            Err(refused) => {
                stats.refused += 1;
                if stats.first_refusal.is_none() {
                    stats.first_refusal = Some(format!(
                        "{} under {}: {}",
                        kind, self.loaded.record.id, refused.message
                    ));
                }
                self.ended = true;
                return false;
            }
        };
        self.record(event, by, rng)
    }

    /// Records `event` if allowed; leaves it out (and carries on) if the policy refuses it.
    fn optional(&mut self, event: Event, by: &str, rng: &mut Rng, stats: &mut Stats) -> bool {
        if self.ended || event.on() > self.as_of {
            return false;
        }
        if self
            .case
            .decide(
                &self.loaded.policy,
                &self.loaded.calendar,
                self.as_of,
                &event,
                Some(by),
            )
            .is_err()
        {
            stats.skipped += 1;
            return false;
        }
        self.record(event, by, rng)
    }

    fn record(&mut self, event: Event, by: &str, rng: &mut Rng) -> bool {
        let on = event.on();
        let event = CaseEvent::new(event, Some(by));
        if self.case.apply(&event).is_err() {
            self.ended = true;
            return false;
        }
        let seq = self.later.len() as i64 + 2;
        self.later.push(StoredEvent {
            seq,
            event,
            recorded_at: recorded_at(on, seq, rng),
        });
        true
    }

    /// `n` working days after `d` under the case's calendar.
    fn wd(&self, d: Date, n: u32) -> Date {
        self.loaded
            .calendar
            .add_working_days(d, n)
            .unwrap_or_else(|_| days(d, i64::from(n) * 7 / 5))
    }
}

fn days(d: Date, n: i64) -> Date {
    d.saturating_add(jiff::Span::new().days(n))
}

/// When a step on `on` was recorded: during that working day, later steps later in the day.
fn recorded_at(on: Date, seq: i64, rng: &mut Rng) -> String {
    format!(
        "{on}T{:02}:{:02}:{:02}.{:06}Z",
        8 + seq.clamp(1, 9),
        rng.below(60),
        rng.below(60),
        rng.below(1_000_000)
    )
}

impl Generator {
    fn new(seed: u64, as_of: Date, policies: Vec<(Arc<LoadedPolicy>, u64)>) -> Generator {
        let total_weight = policies.iter().map(|(_, w)| w).sum::<u64>().max(1);
        Generator {
            seed,
            as_of,
            policies,
            total_weight,
        }
    }

    fn policy(&self, rng: &mut Rng) -> &LoadedPolicy {
        let mut x = rng.below(self.total_weight);
        for (p, w) in &self.policies {
            if x < *w {
                return p;
            }
            x -= w;
        }
        &self.policies[0].0
    }

    /// The `k`th case of this seed.
    fn case(&self, k: u64, stats: &mut Stats) -> (NewCase, Vec<StoredEvent>) {
        let mut rng = Rng::new(self.seed ^ k.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let loaded = self.policy(&mut rng);

        // Where the case is meant to stop, and when it came in.
        let stop = if rng.chance(30) {
            *rng.pick(&[
                Stop::AwaitingAcknowledgement,
                Stop::Investigating,
                Stop::Investigating,
                Stop::Investigating,
                Stop::Responded,
                Stop::Stage2AwaitingAcknowledgement,
                Stop::Stage2Investigating,
                Stop::Stage2Investigating,
            ])
        } else {
            Stop::Never
        };
        let back = match stop {
            Stop::AwaitingAcknowledgement => rng.range(0, 12),
            Stop::Investigating => rng.range(0, 45),
            Stop::Responded => rng.range(10, 40),
            Stop::Stage2AwaitingAcknowledgement => rng.range(20, 60),
            Stop::Stage2Investigating => rng.range(25, 100),
            Stop::Never => rng.range(0, 5 * 365),
        };
        let received_on = days(self.as_of, -i64::from(back));
        let channel = *rng.pick(&[
            Channel::Email,
            Channel::Email,
            Channel::Email,
            Channel::Phone,
            Channel::Phone,
            Channel::Phone,
            Channel::Web,
            Channel::Web,
            Channel::Letter,
            Channel::InPerson,
            Channel::SocialMedia,
            Channel::Representative,
        ]);
        let intake = officer(rng.below(OFFICERS));
        let received = CaseEvent::new(
            Event::Received {
                on: received_on,
                channel,
                // Most complainants are tenants; every one is someone the policy accepts.
                relationship: [
                    Relationship::Tenant,
                    Relationship::Leaseholder,
                    Relationship::Licensee,
                ]
                .into_iter()
                .find(|r| loaded.policy.eligibility.accepts(*r)),
                tenancy_ended_on: None,
                matter_arose_on: Some(received_on.saturating_sub(jiff::Span::new().days(14))),
            },
            Some(&intake),
        );
        let recorded = recorded_at(received_on, 1, &mut rng);
        let mut t = Timeline {
            loaded,
            as_of: self.as_of,
            // `open` only fails on an event other than `received`.
            case: Case::open(&received).unwrap_or_else(|_| unreachable!("received opens a case")),
            later: Vec::new(),
            ended: false,
        };
        Story {
            t: &mut t,
            stop,
            intake: &intake,
            rng: &mut rng,
            stats,
        }
        .tell(received_on);

        let projection = redress_web::service::cases::project(&t.case, loaded, self.as_of);
        if projection.is_open {
            stats.open += 1;
        }
        let complainant = if rng.chance(20) {
            None
        } else {
            Some(complainant(&mut rng, channel == Channel::Representative))
        };
        let summary = rng.pick(SUMMARIES).to_string();
        let case = NewCase {
            triage: None,
            id: new_id(),
            reference_year: received_on.year(),
            policy_id: loaded.record.id.clone(),
            policy_version: loaded.record.version,
            complainant,
            summary,
            confidential: rng.chance(10),
            received,
            projection,
            recorded_at: recorded,
            idempotency: None,
        };
        (case, t.later)
    }
}

/// The steps of one case after its receipt, up to its `stop` or the as-of day, told in parts; a part that
/// can end the story returns `None` where it does. The parts draw on `rng` in the order the case unfolds,
/// and the case's details are drawn after its story, so the same seed keeps giving the same cases.
struct Story<'s, 'a> {
    t: &'s mut Timeline<'a>,
    stop: Stop,
    /// The officer who logged the case, who also records the resident's own steps.
    intake: &'s str,
    rng: &'s mut Rng,
    stats: &'s mut Stats,
}

impl Story<'_, '_> {
    fn tell(&mut self, received_on: Date) -> Option<()> {
        if self.stop == Stop::AwaitingAcknowledgement {
            return None;
        }
        let handler_k = self.rng.below(OFFICERS);
        let handler = officer(handler_k);
        let ack_on = self.acknowledge_and_assign(received_on, &handler)?;
        self.maybe_define_complaint(ack_on, &handler);
        if self.stop == Stop::Never && self.ends_before_a_response(ack_on, &handler) {
            return None;
        }
        if self.stop == Stop::Investigating {
            return None;
        }
        let responded_on = self.stage1_response(ack_on, &handler)?;
        if self.stop == Stop::Responded {
            return None;
        }
        let requested_on = self.closed_or_escalated(responded_on, &handler)?;
        if self.stop == Stop::Stage2AwaitingAcknowledgement {
            return None;
        }
        let (ack2_on, reviewer) = self.stage2_acknowledge_and_assign(requested_on, handler_k)?;
        if self.stop == Stop::Stage2Investigating {
            return None;
        }
        self.stage2_response_and_close(ack2_on, &reviewer)
    }

    fn step(&mut self, event: Event, by: &str) -> bool {
        self.t.step(event, by, self.rng, self.stats)
    }

    fn optional(&mut self, event: Event, by: &str) -> bool {
        self.t.optional(event, by, self.rng, self.stats)
    }

    /// Stage 1 acknowledged and given to `handler`; the day it was acknowledged.
    fn acknowledge_and_assign(&mut self, received_on: Date, handler: &str) -> Option<Date> {
        // About 8% acknowledged late (the Code allows 5 working days).
        let late_ack = self.rng.chance(80);
        let working_days = if late_ack {
            self.rng.range(6, 9)
        } else {
            self.rng.range(0, 4)
        };
        let ack_on = self.t.wd(received_on, working_days);
        if !self.step(Event::Acknowledged { on: ack_on }, self.intake) {
            return None;
        }
        self.step(
            Event::Assigned {
                on: ack_on,
                officer: handler.to_owned(),
            },
            self.intake,
        );
        Some(ack_on)
    }

    /// A few complaints have their heads defined, where the policy allows it.
    fn maybe_define_complaint(&mut self, ack_on: Date, handler: &str) {
        if !self.rng.chance(600) {
            return;
        }
        let heads = (0..self.rng.range(1, 2))
            .map(|_| Head {
                summary: self.rng.pick(SUMMARIES).to_string(),
                outcome_sought: Some(self.rng.pick(OUTCOMES_SOUGHT).to_string()),
            })
            .collect();
        self.optional(
            Event::ComplaintDefined {
                on: ack_on,
                heads,
                not_responsible_for: Vec::new(),
            },
            handler,
        );
    }

    /// A few not accepted, a few withdrawn, before any response: whether this case is one of them.
    fn ends_before_a_response(&mut self, ack_on: Date, handler: &str) -> bool {
        if self.rng.chance(20) {
            let on = self.t.wd(ack_on, self.rng.range(1, 5));
            let ending = match self.t.loaded.policy.exclusions.first() {
                Some(ground) => Event::Excluded {
                    on,
                    ground: ground.id.clone(),
                    reason: "Considered under the exclusion after review of the file.".into(),
                },
                None => Event::Closed {
                    on,
                    reason: CloseReason::Withdrawn,
                    explanation: None,
                },
            };
            self.step(ending, handler);
            return true;
        }
        if self.rng.chance(30) {
            let on = self.t.wd(ack_on, self.rng.range(1, 6));
            self.step(
                Event::Closed {
                    on,
                    reason: CloseReason::Withdrawn,
                    explanation: None,
                },
                handler,
            );
            return true;
        }
        false
    }

    /// The stage 1 response, some extended first, some late; the day it was sent.
    fn stage1_response(&mut self, ack_on: Date, handler: &str) -> Option<Date> {
        let extended_by = self.maybe_extend(ack_on, handler);
        let earliest = if extended_by.is_some() { 6 } else { 3 };
        // About 10% answered late.
        let respond_in = if self.rng.chance(100) {
            self.rng.range(11, 16)
        } else {
            self.rng.range(earliest, 9)
        };
        let responded_on = self.t.wd(ack_on, respond_in + extended_by.unwrap_or(0));
        let event = response(responded_on, self.rng);
        self.step(event, handler).then_some(responded_on)
    }

    /// About 7% extended, by what the policy allows without agreement (or 10 days, agreed): the working days
    /// added, when the policy accepted the extension.
    fn maybe_extend(&mut self, ack_on: Date, handler: &str) -> Option<u32> {
        if !self.rng.chance(70) {
            return None;
        }
        let free = self
            .t
            .loaded
            .policy
            .stage(1)
            .map_or(0, |s| s.extension.without_agreement_working_days);
        let working_days = if free > 0 { free.min(10) } else { 10 };
        let on = self.t.wd(ack_on, 5);
        let extension = Event::Extended {
            on,
            working_days,
            reason: "Waiting for a contractor's report on the cause.".into(),
            resident_agreed: free == 0 || self.rng.chance(500),
        };
        self.optional(extension, handler).then_some(working_days)
    }

    /// After the stage 1 response: most cases close as resolved, the rest are escalated (the day the
    /// resident asked).
    fn closed_or_escalated(&mut self, responded_on: Date, handler: &str) -> Option<Date> {
        let escalate = matches!(
            self.stop,
            Stop::Stage2AwaitingAcknowledgement | Stop::Stage2Investigating
        ) || self.rng.chance(100);
        if !escalate {
            let on = days(responded_on, i64::from(self.rng.range(1, 25)));
            self.step(
                Event::Closed {
                    on,
                    reason: CloseReason::Resolved,
                    explanation: Some("The resident accepted the outcome by telephone".into()),
                },
                handler,
            );
            return None;
        }
        let requested_on = days(responded_on, i64::from(self.rng.range(1, 20)));
        let request = Event::EscalationRequested {
            on: requested_on,
            reasons: self
                .rng
                .chance(500)
                .then(|| "The repair is still not done.".to_owned()),
            out_of_time: false,
        };
        if !self.step(request, self.intake) {
            return None;
        }
        // A request after the window waits for a decision: landlords mostly use their discretion.
        if self.t.case.state == State::EscalationDecisionNeeded
            && !self.step(
                Event::EscalationAccepted {
                    on: requested_on,
                    reason: "The resident explained the delay; discretion used".into(),
                },
                self.intake,
            )
        {
            return None;
        }
        Some(requested_on)
    }

    /// Stage 2 acknowledged and given to a reviewer who did not handle stage 1: the day, and the reviewer.
    fn stage2_acknowledge_and_assign(
        &mut self,
        requested_on: Date,
        handler_k: u64,
    ) -> Option<(Date, String)> {
        let working_days = if self.rng.chance(80) {
            self.rng.range(6, 8)
        } else {
            self.rng.range(1, 5)
        };
        let ack2_on = self.t.wd(requested_on, working_days);
        if !self.step(Event::Acknowledged { on: ack2_on }, self.intake) {
            return None;
        }
        let reviewer = officer(handler_k + 1 + self.rng.below(OFFICERS - 1));
        self.step(
            Event::Assigned {
                on: ack2_on,
                officer: reviewer.clone(),
            },
            self.intake,
        );
        Some((ack2_on, reviewer))
    }

    /// The stage 2 response, then the case closed: on the final response when stage 2 is the policy's last
    /// required stage.
    fn stage2_response_and_close(&mut self, ack2_on: Date, reviewer: &str) -> Option<()> {
        let working_days = if self.rng.chance(80) {
            self.rng.range(21, 30)
        } else {
            self.rng.range(8, 19)
        };
        let responded2_on = self.t.wd(ack2_on, working_days);
        let event = response(responded2_on, self.rng);
        if !self.step(event, reviewer) {
            return None;
        }
        let reason = if self.t.case.stage() >= self.t.loaded.policy.last_required_stage() {
            CloseReason::FinalResponse
        } else {
            CloseReason::Resolved
        };
        let on = days(responded2_on, i64::from(self.rng.range(0, 10)));
        let explanation = Some("The resident accepted the outcome".to_owned());
        self.step(
            Event::Closed {
                on,
                reason,
                explanation,
            },
            reviewer,
        );
        debug_assert!(self.t.ended || self.t.case.state == State::Closed);
        Some(())
    }
}

/// A stage response: an outcome, and for an upheld one, remedies.
fn response(on: Date, rng: &mut Rng) -> Event {
    let outcome = *rng.pick(&[
        Outcome::Upheld,
        Outcome::Upheld,
        Outcome::PartlyUpheld,
        Outcome::PartlyUpheld,
        Outcome::PartlyUpheld,
        Outcome::NotUpheld,
        Outcome::NotUpheld,
        Outcome::NotUpheld,
        Outcome::NotUpheld,
    ]);
    let mut remedies = Vec::new();
    if outcome != Outcome::NotUpheld {
        remedies.push(Remedy {
            kind: RemedyKind::Apology,
            description: "An apology for the delay and the inconvenience.".into(),
            amount_pence: None,
            due_on: None,
        });
        if rng.chance(400) {
            remedies.push(Remedy {
                kind: RemedyKind::Compensation,
                description: "Compensation for the time and trouble.".into(),
                amount_pence: Some(u64::from(rng.range(5, 60)) * 1000),
                due_on: Some(days(on, 28)),
            });
        }
    }
    Event::Responded {
        on,
        outcome: Some(outcome),
        heads: Vec::new(),
        remedies,
        outstanding_actions: Vec::new(),
    }
}

/// A fictional surname: usually made of a start and an end (`Thornthwaite`), sometimes from the list.
fn surname(rng: &mut Rng) -> String {
    if rng.chance(100) {
        rng.pick(SURNAMES).to_string()
    } else {
        format!("{}{}", rng.pick(SURNAME_STARTS), rng.pick(SURNAME_ENDS))
    }
}

/// A fictional address on an invented street, with a postcode of the UK's shape in its town's area.
fn address(rng: &mut Rng) -> String {
    let flat = rng.range(1, 40);
    let number = rng.range(1, 200);
    let street = rng.pick(STREETS);
    let town = rng.below(TOWNS.len() as u64) as usize;
    let letter = |rng: &mut Rng| char::from(*rng.pick(INWARD_LETTERS));
    let postcode = format!(
        "{}{} {}{}{}",
        POSTCODE_AREAS[town],
        rng.range(1, 29),
        rng.range(0, 9),
        letter(rng),
        letter(rng)
    );
    format!("Flat {flat}, {number} {street}, {} {postcode}", TOWNS[town])
}

/// A fictional complainant.
fn complainant(rng: &mut Rng, represented: bool) -> Complainant {
    let first = rng.pick(FIRST_NAMES);
    let last = surname(rng);
    let number = rng.below(1000);
    let represented = represented || rng.chance(30);
    Complainant {
        name: Some(format!("{first} {last}")),
        email: rng.chance(850).then(|| {
            format!(
                "{}.{}{number}@example.org",
                first.to_lowercase(),
                last.to_lowercase()
            )
        }),
        phone: rng
            .chance(700)
            .then(|| format!("{}{:03}", rng.pick(DRAMA_NUMBERS), rng.below(1000))),
        address: rng.chance(600).then(|| address(rng)),
        representative_name: represented
            .then(|| format!("{} {}", rng.pick(FIRST_NAMES), surname(rng))),
        representative_relationship: represented.then(|| rng.pick(RELATIONSHIPS).to_string()),
        representative_consent: represented,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn generator() -> Generator {
        let policies = PRESETS
            .iter()
            .map(|preset| {
                let table =
                    Policy::resolve_table(preset.toml, &redress_domain::presets::preset_lookup)
                        .expect("preset resolves");
                let toml = toml::to_string_pretty(&table).expect("prints");
                let policy = Policy::from_toml(&toml).expect("loads");
                let calendar = policy.working_calendar(BankHolidays::embedded());
                let record = redress_store::PolicyRecord {
                    id: preset.id.into(),
                    version: 1,
                    name: policy.name.clone(),
                    toml,
                    installed_at: "2026-01-01T00:00:00.000000Z".into(),
                };
                (
                    Arc::new(LoadedPolicy {
                        record,
                        policy,
                        calendar,
                    }),
                    if preset.id == DEFAULT_PRESET { 70 } else { 5 },
                )
            })
            .collect();
        Generator::new(7, date(2026, 3, 2), policies)
    }

    #[test]
    fn every_generated_case_is_legal_and_the_mix_is_realistic() {
        let g = generator();
        let mut stats = Stats::default();
        let n = 20_000u64;
        let mut stage2 = 0;
        let mut by_policy = std::collections::HashMap::new();
        let mut assignees = std::collections::HashSet::new();
        for k in 0..n {
            let (case, later) = g.case(k, &mut stats);
            // The events fold back into the same projection.
            let mut events = vec![case.received.clone()];
            events.extend(later.iter().map(|e| e.event.clone()));
            let folded = Case::fold(&events).expect("folds");
            let loaded = &g
                .policies
                .iter()
                .find(|(p, _)| p.record.id == case.policy_id)
                .expect("policy")
                .0;
            assert_eq!(
                redress_web::service::cases::project(&folded, loaded, g.as_of),
                case.projection
            );
            assert!(events.iter().all(|e| e.event.on() <= g.as_of));
            for (i, e) in later.iter().enumerate() {
                assert_eq!(e.seq, i as i64 + 2);
            }
            if case.projection.stage == 2 {
                stage2 += 1;
            }
            *by_policy.entry(case.policy_id.clone()).or_insert(0u64) += 1;
            if let Some(a) = &case.projection.assignee {
                assignees.insert(a.clone());
            }
        }
        assert_eq!(stats.refused, 0, "{:?}", stats.first_refusal);
        let open = stats.open as f64 / n as f64;
        assert!((0.03..0.06).contains(&open), "open share {open}");
        let stage2 = f64::from(stage2) / n as f64;
        assert!((0.07..0.15).contains(&stage2), "stage 2 share {stage2}");
        assert_eq!(by_policy.len(), PRESETS.len());
        let code = by_policy[DEFAULT_PRESET] as f64 / n as f64;
        assert!((0.65..0.75).contains(&code), "code-2024 share {code}");
        assert_eq!(assignees.len() as u64, OFFICERS);
    }

    #[test]
    fn the_same_seed_gives_the_same_cases() {
        let g = generator();
        let mut stats = Stats::default();
        let (a, ea) = g.case(42, &mut stats);
        let (b, eb) = g.case(42, &mut stats);
        assert_eq!(a.projection, b.projection);
        assert_eq!(a.summary, b.summary);
        assert_eq!(a.complainant, b.complainant);
        assert_eq!(ea, eb);
    }
}
