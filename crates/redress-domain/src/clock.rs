//! The clocks of a case, named once: their wire names, and their labels in the policy's own stage names.

use serde::{Serialize, Serializer};

use crate::policy::Policy;

/// One of a case's clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Clock {
    /// Acknowledging a stage (1 to 3).
    Acknowledge(u8),
    /// Responding at a stage (1 to 3).
    Respond(u8),
    /// The resident's window to ask for the next stage.
    EscalationWindow,
    /// The first-contact window of a service request.
    ServiceRequestResponse,
    /// Closing the case when the resident does not reply after the outcome.
    AutoClose,
}

impl Clock {
    /// Every clock, in the order a case meets them.
    pub const ALL: [Clock; 9] = [
        Clock::Acknowledge(1),
        Clock::Respond(1),
        Clock::EscalationWindow,
        Clock::Acknowledge(2),
        Clock::Respond(2),
        Clock::Acknowledge(3),
        Clock::Respond(3),
        Clock::ServiceRequestResponse,
        Clock::AutoClose,
    ];

    /// The wire name: `stage1_acknowledge`, `stage2_response`, `escalation_window`, … (stages past 3 are
    /// stage 3's: a policy has at most three).
    pub fn as_str(self) -> &'static str {
        match self {
            Clock::Acknowledge(1) => "stage1_acknowledge",
            Clock::Respond(1) => "stage1_response",
            Clock::Acknowledge(2) => "stage2_acknowledge",
            Clock::Respond(2) => "stage2_response",
            Clock::Acknowledge(_) => "stage3_acknowledge",
            Clock::Respond(_) => "stage3_response",
            Clock::EscalationWindow => "escalation_window",
            Clock::ServiceRequestResponse => "service_request_response",
            Clock::AutoClose => "auto_close",
        }
    }

    /// The clock with this wire name.
    pub fn parse(name: &str) -> Option<Clock> {
        Clock::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The stage of a stage clock.
    pub fn stage(self) -> Option<u8> {
        match self {
            Clock::Acknowledge(n) | Clock::Respond(n) => Some(n),
            _ => None,
        }
    }

    /// Whether it is an acknowledgement clock.
    pub fn is_acknowledgement(self) -> bool {
        matches!(self, Clock::Acknowledge(_))
    }

    /// Its label on the pages, in the policy's own stage names: "Acknowledge Resolution", "Review response",
    /// "Close if no reply".
    pub fn label(self, policy: &Policy) -> String {
        match self {
            Clock::Acknowledge(n) => format!("Acknowledge {}", policy.stage_name(n)),
            Clock::Respond(n) => format!("{} response", policy.stage_name(n)),
            Clock::EscalationWindow => "Resident may escalate until".into(),
            Clock::ServiceRequestResponse => "Service request response".into(),
            Clock::AutoClose => "Close if no reply".into(),
        }
    }

    /// The clock as the subject of a sentence ("… was due on … and is overdue"): "Stage 1
    /// acknowledgement", "Review response", "Closing the case".
    pub fn subject(self, policy: &Policy) -> String {
        match self {
            Clock::Acknowledge(n) => format!("{} acknowledgement", policy.stage_name(n)),
            Clock::Respond(n) => format!("{} response", policy.stage_name(n)),
            Clock::EscalationWindow => "The window to escalate".into(),
            Clock::ServiceRequestResponse => "Service request reply".into(),
            Clock::AutoClose => "Closing the case".into(),
        }
    }
}

impl Serialize for Clock {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Clock {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_clock_parses_back_from_its_wire_name() {
        for c in Clock::ALL {
            assert_eq!(Clock::parse(c.as_str()), Some(c));
        }
        assert_eq!(Clock::parse("stage4_acknowledge"), None);
    }
}
