//! Swap (issue 15): the job-rotation programme's rules — a cycle as its owner opens it
//! (`cycles`), what people enter in it (`entries`: offers, applications, releases,
//! reflections, team caps), how well an applicant fits a placement, term by term (`fit`),
//! matching applicants to placements exactly (`matching`), and the before/after comparison of
//! its outcomes (`outcomes`).

pub mod cycles;
pub mod entries;
pub mod fit;
pub mod matching;
pub mod outcomes;
