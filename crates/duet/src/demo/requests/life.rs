//! Each planned request's life: the steps and waits from submission to today.

use super::*;

/// Collects steps into moments separated by waits.
pub(super) struct Timeline {
    pub(super) moments: Vec<Moment>,
    pub(super) current: Vec<Step>,
}

impl Timeline {
    pub(super) fn new() -> Self {
        Self {
            moments: Vec::new(),
            current: Vec::new(),
        }
    }

    pub(super) fn then(&mut self, step: Step) {
        self.current.push(step);
    }

    /// Time passes; the next step happens `hours` later (0: at the same moment).
    pub(super) fn wait(&mut self, hours: i64) {
        if hours <= 0 {
            return;
        }
        if self.current.is_empty() {
            if let Some(last) = self.moments.last_mut() {
                last.gap_hours += hours;
            }
            return;
        }
        let steps = std::mem::take(&mut self.current);
        self.moments.push(Moment {
            steps,
            gap_hours: hours,
        });
    }

    pub(super) fn elapsed(&self) -> i64 {
        self.moments.iter().map(|m| m.gap_hours).sum()
    }

    /// Ends the life `final_hours` before today.
    pub(super) fn finish(mut self, final_hours: i64) -> Vec<Moment> {
        self.wait(final_hours.max(0));
        if !self.current.is_empty() {
            let steps = std::mem::take(&mut self.current);
            self.moments.push(Moment {
                steps,
                gap_hours: 0,
            });
        }
        self.moments
    }

    /// Ends the life so that it began about `lo..=hi` days ago (never less than a few hours
    /// after the last step).
    pub(super) fn finish_aged(self, rng: &mut Rng, lo: i64, hi: i64) -> Vec<Moment> {
        let target = days(rng, lo, hi);
        let rest = (target - self.elapsed()).max(rng.range(2, 72));
        self.finish(rest)
    }
}

/// A random span of `lo..=hi` days, in hours.
pub(super) fn days(rng: &mut Rng, lo: i64, hi: i64) -> i64 {
    rng.range(lo * 24, hi * 24)
}

/// Hours until IT first responds: usually within the urgency's target, sometimes well after it.
pub(super) fn first_response_hours(urgency: Urgency, rng: &mut Rng) -> i64 {
    let target = urgency.target_response_days() * 24 * 7 / 5;
    if rng.chance(82) {
        rng.range(1, target)
    } else {
        rng.range(target + 1, target * 2)
    }
}

/// The moments of one request's life, from submission to today.
pub(super) fn life(plan: &Plan, rng: &mut Rng) -> Vec<Moment> {
    let mut t = Timeline::new();
    t.then(Step::Submit);
    if plan.fate == Fate::Submitted {
        return t.finish(rng.range(1, 96));
    }
    t.wait(first_response_hours(plan.urgency, rng));
    t.then(Step::Triage);
    if plan.fate == Fate::Understanding {
        if rng.chance(45) {
            t.wait(days(rng, 3, 8));
            t.then(Step::Attempt {
                note: rng.below(data().attempt_notes.len()),
            });
            return t.finish(days(rng, 1, 12));
        }
        return t.finish(days(rng, 1, 20));
    }
    // A few requesters never answer: IT records its attempt and, after the configured ten working
    // days, decides without them.
    let decided = matches!(
        plan.fate,
        Fate::Deferred | Fate::Declined | Fate::Accepted(_)
    );
    if plan.kind != Kind::Project && decided && rng.chance(12) {
        t.wait(days(rng, 3, 8));
        t.then(Step::Attempt {
            note: rng.below(data().attempt_notes.len()),
        });
        t.wait(days(rng, 15, 22));
    } else {
        t.wait(rng.range(2, 6 * 24));
        t.then(if rng.chance(20) {
            Step::Correct {
                text: rng.below(data().corrections.len()),
            }
        } else {
            Step::Confirm
        });
    }
    let mut moments = if plan.kind == Kind::Project {
        project_life(t, plan, rng)
    } else {
        service_life(t, plan, rng)
    };
    // Keep the history within a year: squeeze every gap in proportion.
    let total: i64 = moments.iter().map(|m| m.gap_hours).sum();
    if total > MAX_AGE_HOURS {
        for m in &mut moments {
            if m.gap_hours > 0 {
                m.gap_hours = (m.gap_hours * MAX_AGE_HOURS / total).max(1);
            }
        }
    }
    moments
}

pub(super) fn defer(rng: &mut Rng) -> Step {
    let future = rng.chance(80);
    Step::Decide(Verdict::Defer {
        days: if future {
            rng.range(14, 120)
        } else {
            rng.range(30, 75)
        },
        future,
        note: rng.below(data().defer_notes.len()),
    })
}

pub(super) fn answer(t: &mut Timeline, rng: &mut Rng) {
    if rng.chance(50) {
        t.wait(days(rng, 2, 14));
        t.then(Step::Answer {
            taken_up: rng.chance(60),
        });
    }
}

/// After the need is understood: the service lane's decision and delivery.
pub(super) fn service_life(mut t: Timeline, plan: &Plan, rng: &mut Rng) -> Vec<Moment> {
    match plan.fate {
        Fate::Deferred => {
            t.wait(days(rng, 2, 20));
            t.then(defer(rng));
            t.finish_aged(rng, 30, 300)
        }
        Fate::Declined => {
            t.wait(days(rng, 1, 15));
            t.then(Step::Decide(Verdict::Decline));
            answer(&mut t, rng);
            t.finish_aged(rng, 15, 340)
        }
        Fate::Accepted(steps) => {
            // Small requests are often accepted the moment the need is confirmed.
            if !rng.chance(40) {
                t.wait(days(rng, 1, 10));
            }
            t.then(Step::Decide(Verdict::Accept));
            if steps >= 1 {
                if !rng.chance(50) {
                    t.wait(days(rng, 1, 14));
                }
                t.then(Step::Advance);
            }
            if steps >= 2 {
                t.wait(days(rng, 5, 60));
                t.then(Step::Advance);
            }
            if steps >= 3 {
                if rng.chance(50) {
                    t.wait(days(rng, 1, 10));
                }
                t.then(Step::Advance);
            }
            let (lo, hi) = match steps {
                0 => (5, 60),
                1 => (20, 150),
                2 => (45, 300),
                _ => (60, 355),
            };
            t.finish_aged(rng, lo, hi)
        }
        _ => t.finish(days(rng, 1, 12)),
    }
}

/// After the need is understood: champion, business case, sign-off, decision, delivery, benefits.
pub(super) fn project_life(mut t: Timeline, plan: &Plan, rng: &mut Rng) -> Vec<Moment> {
    let stage = plan.stage.unwrap_or(Stage::Signed);
    t.wait(days(rng, 3, 25));
    t.then(Step::Champion);
    if stage == Stage::Championed {
        return t.finish(days(rng, 2, 30));
    }
    t.wait(days(rng, 10, 40));
    t.then(Step::SaveCase { it_pct: 100 });
    if plan.fate == Fate::Declined {
        t.wait(days(rng, 5, 20));
        t.then(Step::Decide(Verdict::Decline));
        answer(&mut t, rng);
        return t.finish_aged(rng, 40, 330);
    }
    if stage != Stage::Costed {
        if !rng.chance(50) {
            t.wait(days(rng, 2, 12));
        }
        t.then(Step::SignOff);
    }
    let lapse = |t: &mut Timeline, rng: &mut Rng| {
        if stage == Stage::Lapsed {
            t.wait(days(rng, 10, 45));
            t.then(Step::SaveCase {
                it_pct: rng.range(115, 130),
            });
        }
    };
    match plan.fate {
        Fate::Deferred => {
            t.wait(days(rng, 5, 25));
            t.then(defer(rng));
            t.finish_aged(rng, 60, 330)
        }
        Fate::Accepted(steps) => {
            t.wait(days(rng, 3, 21));
            t.then(Step::Decide(Verdict::Accept));
            if steps >= 1 {
                t.wait(days(rng, 5, 30));
                t.then(Step::Advance);
            }
            if steps >= 2 {
                t.wait(days(rng, 40, 120));
                t.then(Step::Advance);
                t.wait(days(rng, 30, 90));
                t.then(Step::Benefit {
                    year: 1,
                    pct: rng.range(60, 120),
                });
            }
            if steps >= 3 {
                t.wait(days(rng, 30, 90));
                t.then(Step::Benefit {
                    year: 2,
                    pct: rng.range(60, 120),
                });
                t.then(Step::Advance);
            }
            if steps >= 4 {
                t.wait(days(rng, 14, 60));
                t.then(Step::Advance);
            }
            lapse(&mut t, rng);
            let (lo, hi) = match steps {
                0 => (40, 150),
                1 => (80, 300),
                _ => (200, 355),
            };
            t.finish_aged(rng, lo, hi)
        }
        _ => {
            lapse(&mut t, rng);
            t.finish(days(rng, 1, 30))
        }
    }
}
