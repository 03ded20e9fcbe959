//! Who may do what. Roles are the landlord's job titles in complaint handling; permissions are what the
//! service checks. One table, here, so that every endpoint and page asks the same question.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A staff role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the installation: users, tokens, policies, everything.
    Admin,
    /// Manages the complaints function: all cases, including confidential ones; policies.
    ComplaintsManager,
    /// Logs, triages and progresses complaints (the Code's "complaints officer").
    ComplaintsOfficer,
    /// Investigates stage 1 complaints.
    Investigator,
    /// Reviews stage 2 complaints.
    Reviewer,
    /// The board, its Member Responsible for Complaints, residents' scrutiny panels: read-only, and sees no
    /// personal data.
    Viewer,
}

/// What a role may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read cases (personal data only with [`Permission::ReadPersonalData`]).
    ReadCases,
    /// See complainants' names, contact details and the complaint text.
    ReadPersonalData,
    /// See confidential cases.
    ReadConfidential,
    /// Log new complaints.
    CreateCases,
    /// Record lifecycle steps on cases.
    RecordEvents,
    /// Read policies and their compliance findings.
    ReadPolicies,
    /// Install or change policies.
    ManagePolicies,
    /// Create users and tokens.
    ManageUsers,
    /// Send again an email that failed (complaints managers and admins): a person decides that a message
    /// which may or may not have been delivered goes again.
    ResendMessages,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::ComplaintsManager,
        Role::ComplaintsOfficer,
        Role::Investigator,
        Role::Reviewer,
        Role::Viewer,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ComplaintsManager => "complaints_manager",
            Role::ComplaintsOfficer => "complaints_officer",
            Role::Investigator => "investigator",
            Role::Reviewer => "reviewer",
            Role::Viewer => "viewer",
        }
    }

    /// The name people read.
    pub fn display_name(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::ComplaintsManager => "Complaints manager",
            Role::ComplaintsOfficer => "Complaints officer",
            Role::Investigator => "Investigator",
            Role::Reviewer => "Stage 2 reviewer",
            Role::Viewer => "Board and scrutiny viewer",
        }
    }

    /// Whether this role has `permission`.
    pub fn can(self, permission: Permission) -> bool {
        use Permission as P;
        match self {
            Role::Admin => true,
            Role::ComplaintsManager => !matches!(permission, P::ManageUsers),
            Role::ComplaintsOfficer => matches!(
                permission,
                P::ReadCases
                    | P::ReadPersonalData
                    | P::CreateCases
                    | P::RecordEvents
                    | P::ReadPolicies
            ),
            Role::Investigator | Role::Reviewer => matches!(
                permission,
                P::ReadCases | P::ReadPersonalData | P::RecordEvents | P::ReadPolicies
            ),
            Role::Viewer => matches!(permission, P::ReadCases | P::ReadPolicies),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown role '{s}': use one of {}",
                    Role::ALL.map(Role::as_str).join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_manage_users_and_viewers_see_no_personal_data() {
        for role in Role::ALL {
            assert_eq!(role.can(Permission::ManageUsers), role == Role::Admin);
            assert_eq!(role.can(Permission::ReadPersonalData), role != Role::Viewer);
            assert!(role.can(Permission::ReadCases));
        }
        assert!(!Role::Investigator.can(Permission::CreateCases));
        for role in Role::ALL {
            assert_eq!(
                role.can(Permission::ResendMessages),
                matches!(role, Role::Admin | Role::ComplaintsManager)
            );
        }
        assert!(!Role::ComplaintsOfficer.can(Permission::ReadConfidential));
        assert!(Role::ComplaintsManager.can(Permission::ReadConfidential));
        assert_eq!("reviewer".parse::<Role>(), Ok(Role::Reviewer));
        assert!(
            "boss"
                .parse::<Role>()
                .unwrap_err()
                .contains("unknown role 'boss'")
        );
    }
}
