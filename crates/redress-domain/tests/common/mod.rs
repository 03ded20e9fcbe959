//! Scenario helpers: drive a case through a policy the way the service does (decide, then apply).
#![allow(clippy::unwrap_used)]
#![allow(dead_code)]

use jiff::civil::Date;
use redress_domain::case::{Case, Deadline};
use redress_domain::compliance::Finding;
use redress_domain::event::{CaseEvent, Channel, Event, Outcome};
use redress_domain::presets;
use redress_domain::{BankHolidays, Calendar, Policy};

pub fn d(s: &str) -> Date {
    s.parse().unwrap_or_else(|e| panic!("bad date {s}: {e}"))
}

pub fn policy(id: &str) -> Policy {
    presets::preset(id)
        .unwrap_or_else(|| panic!("no preset {id}"))
        .unwrap_or_else(|e| panic!("preset {id} does not load: {e}"))
}

pub fn findings(id: &str) -> Vec<Finding> {
    redress_domain::check(&policy(id))
}

/// The keys of a policy's findings, sorted.
pub fn finding_keys(id: &str) -> Vec<String> {
    let mut keys: Vec<String> = findings(id).into_iter().map(|f| f.key).collect();
    keys.sort();
    keys
}

pub struct Scenario {
    pub policy: Policy,
    pub calendar: Calendar,
    pub events: Vec<CaseEvent>,
    pub case: Case,
}

impl Scenario {
    /// A complaint received on `on` under the preset `id`.
    pub fn received(id: &str, on: &str) -> Scenario {
        let policy = policy(id);
        let calendar = policy.working_calendar(BankHolidays::embedded());
        let first = CaseEvent::new(Event::received(d(on), Channel::Email), None);
        let case = Case::open(&first).unwrap();
        Scenario {
            policy,
            calendar,
            events: vec![first],
            case,
        }
    }

    /// Records an event that must be allowed.
    pub fn then(&mut self, event: Event) -> &mut Scenario {
        self.then_by(event, None)
    }

    /// Records an event by an officer; it must be allowed.
    pub fn then_by(&mut self, event: Event, by: Option<&str>) -> &mut Scenario {
        let event =
            match self
                .case
                .admit(&self.policy, &self.calendar, event.on(), event.clone(), by)
            {
                Ok(admitted) => admitted,
                Err(r) => panic!("{} was refused: {}", event, r.message),
            };
        let ce = CaseEvent::new(event, by);
        self.case.apply(&ce).unwrap();
        self.events.push(ce);
        // The fold from scratch always agrees with the incremental state.
        assert_eq!(Case::fold(&self.events).unwrap(), self.case);
        self
    }

    /// An event that must be refused: returns the refusal message.
    pub fn refused(&self, event: Event) -> String {
        self.refused_by(event, None)
    }

    pub fn refused_by(&self, event: Event, by: Option<&str>) -> String {
        match self
            .case
            .decide(&self.policy, &self.calendar, event.on(), &event, by)
        {
            Ok(()) => panic!("{event} was allowed but should be refused"),
            Err(r) => r.message,
        }
    }

    pub fn ack(&mut self, on: &str) -> &mut Scenario {
        self.then(Event::Acknowledged { on: d(on) })
    }

    pub fn respond(&mut self, on: &str, outcome: Outcome) -> &mut Scenario {
        self.then(Event::Responded {
            on: d(on),
            outcome: Some(outcome),
            heads: vec![],
            remedies: vec![],
            outstanding_actions: vec![],
        })
    }

    pub fn escalate(&mut self, on: &str) -> &mut Scenario {
        self.then(Event::EscalationRequested {
            on: d(on),
            reasons: None,
            out_of_time: false,
        })
    }

    pub fn extend(&mut self, on: &str, working_days: u32, resident_agreed: bool) -> &mut Scenario {
        self.then(Event::Extended {
            on: d(on),
            working_days,
            reason: "Awaiting a surveyor's report".into(),
            resident_agreed,
        })
    }

    /// All clocks as of a day.
    pub fn deadlines(&self, as_of: &str) -> Vec<Deadline> {
        self.case.deadlines(&self.policy, &self.calendar, d(as_of))
    }

    /// The last clock with this name, as of a day.
    pub fn clock(&self, name: &str, as_of: &str) -> Deadline {
        self.deadlines(as_of)
            .into_iter()
            .rev()
            .find(|c| c.clock == name)
            .unwrap_or_else(|| {
                panic!(
                    "no clock {name}; clocks: {:?}",
                    self.deadlines(as_of)
                        .iter()
                        .map(|c| &c.clock)
                        .collect::<Vec<_>>()
                )
            })
    }

    /// The due date of the last clock with this name.
    pub fn due(&self, name: &str) -> Date {
        self.clock(name, "2000-01-01").due_on
    }
}
