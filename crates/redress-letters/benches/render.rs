//! Letters rendered a second: `cargo bench -p redress-letters`. The PDF target is 50 a second on 2 cores
//! (release): `pdf` is one thread, `pdf_all_cores` the whole machine.
#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicU64, Ordering};

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use redress_letters::{
    Block, Letterhead, PrintableLetter, Section, Signatory, render_docx, render_pdf,
};

fn main() {
    divan::main();
}

fn letter() -> PrintableLetter {
    let paragraph = "We have looked at your complaint, the repair records and what our contractor told us. \
        The repair took longer than our repairs policy allows, and we did not keep you updated.";
    PrintableLetter {
        letterhead: Letterhead {
            organisation: "Northfield Homes".into(),
            address_lines: vec!["1 High Street".into(), "Leeds".into(), "LS1 1AA".into()],
            phone: Some("0113 496 0000".into()),
            email: Some("complaints@northfield.example".into()),
            website: None,
            logo_png: None,
        },
        recipient: vec![
            "Ms A Example".into(),
            "2 Low Road".into(),
            "Leeds".into(),
            "LS2 2BB".into(),
        ],
        date: "3 December 2026".into(),
        reference: "CMP-2026-0042".into(),
        title: "Stage 1 response to your complaint".into(),
        salutation: "Dear Ms Example,".into(),
        sections: (1..=5)
            .map(|i| Section {
                heading: Some(format!("Part {i}")),
                blocks: vec![
                    Block::Paragraph(paragraph.into()),
                    Block::Bullets(vec!["First point".into(), "Second point".into()]),
                    Block::Table {
                        header: vec!["Element".into(), "Decision".into(), "Remedy".into()],
                        rows: vec![vec!["Repair delay".into(), "Upheld".into(), "£150".into()]; 3],
                    },
                ],
            })
            .collect(),
        closing: "Yours sincerely,".into(),
        signatory: Some(Signatory {
            name: "Pat Officer".into(),
            role: "Complaints Officer".into(),
        }),
        footer: vec!["Northfield Homes is a registered provider, number 4242.".into()],
        large_print: false,
    }
}

/// One letter at a time; each letter differs (its reference), as in real use.
#[divan::bench]
fn pdf(bencher: Bencher) {
    let mut letter = letter();
    let mut n = 0_u64;
    bencher.counter(ItemsCount::new(1_usize)).bench_local(|| {
        n += 1;
        letter.reference = format!("CMP-2026-{n:04}");
        black_box(render_pdf(&letter).unwrap())
    });
}

/// Letters a second for the whole machine: each iteration renders a batch of letters split across every core
/// (scoped threads), each letter with its own reference, so items/s is the machine's aggregate throughput.
#[divan::bench(sample_count = 30)]
fn pdf_all_cores(bencher: Bencher) {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let per_core = 4;
    let template = letter();
    let n = AtomicU64::new(0);
    let render = || {
        let mut letter = template.clone();
        letter.reference = format!("CMP-2026-{:04}", n.fetch_add(1, Ordering::Relaxed));
        black_box(render_pdf(&letter).unwrap());
    };
    bencher
        .counter(ItemsCount::new(cores * per_core))
        .bench_local(|| {
            std::thread::scope(|scope| {
                for _ in 0..cores {
                    scope.spawn(|| (0..per_core).for_each(|_| render()));
                }
            });
        });
}

#[divan::bench]
fn docx(bencher: Bencher) {
    let letter = letter();
    bencher
        .counter(ItemsCount::new(1_usize))
        .bench(|| black_box(render_docx(&letter).unwrap()));
}
