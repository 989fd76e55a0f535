//! Swap (issue 15): the job-rotation programme's rules. Today: a cycle as its owner opens it
//! (`cycles`), how well an applicant fits a placement, term by term (`fit`), and matching
//! applicants to placements exactly (`matching`); applications, releases, placements,
//! reflections and outcomes come next.

pub mod cycles;
pub mod fit;
pub mod matching;
