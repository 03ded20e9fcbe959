//! The operations the API and the staff pages share, between HTTP and storage: logging a complaint,
//! recording a step, loading a case the caller may see and projecting it for the work queues. Handlers parse
//! and answer; the rules are the domain's; this layer loads, asks the domain, and stores.

pub mod cases;
pub mod complaints;
