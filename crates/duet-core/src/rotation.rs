//! Swap (issue 15): the job-rotation programme's rules. Today: matching applicants to host
//! placements exactly (`matching`); cycles, applications, releases, placements and outcomes
//! come next.

pub mod matching;
