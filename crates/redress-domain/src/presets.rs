//! The policies Redress ships with: the Code itself, the Scottish model, and five published landlord
//! policies read faithfully. Each is a TOML file in `presets/`, embedded in the binary.

use crate::policy::{Policy, PolicyErrors};

/// A shipped policy: its id and TOML text.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// The id, e.g. `code-2024`.
    pub id: &'static str,
    /// The TOML text.
    pub toml: &'static str,
}

/// Every preset, the Code first.
pub const PRESETS: &[Preset] = &[
    Preset {
        id: "code-2024",
        toml: include_str!("../presets/code-2024.toml"),
    },
    Preset {
        id: "scottish-model-chp",
        toml: include_str!("../presets/scottish-model-chp.toml"),
    },
    Preset {
        id: "herring-house-trust",
        toml: include_str!("../presets/herring-house-trust.toml"),
    },
    Preset {
        id: "resolution-team-2022",
        toml: include_str!("../presets/resolution-team-2022.toml"),
    },
    Preset {
        id: "performance-improvement-2025",
        toml: include_str!("../presets/performance-improvement-2025.toml"),
    },
    Preset {
        id: "herefordshire-council",
        toml: include_str!("../presets/herefordshire-council.toml"),
    },
    Preset {
        id: "harrogate-ha",
        toml: include_str!("../presets/harrogate-ha.toml"),
    },
];

/// The default policy for a new installation.
pub const DEFAULT_PRESET: &str = "code-2024";

/// The TOML text of a preset.
pub fn preset_toml(id: &str) -> Option<&'static str> {
    PRESETS.iter().find(|p| p.id == id).map(|p| p.toml)
}

/// Looks up presets by id, for [`Policy::resolve`].
pub fn preset_lookup(id: &str) -> Option<String> {
    preset_toml(id).map(str::to_owned)
}

/// A preset, resolved.
pub fn preset(id: &str) -> Option<Result<Policy, PolicyErrors>> {
    preset_toml(id).map(|text| Policy::resolve(text, &preset_lookup))
}
