//! Tests of `finance`.

use super::*;
use proptest::prelude::*;

/// `a` and `b` agree to `rel` relative to the larger of them.
fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs())
}

fn assert_close(a: f64, b: f64) {
    assert!(close(a, b, 1e-9), "{a} vs {b}");
}

fn unique(irr: &Irr) -> f64 {
    match irr {
        Irr::Unique { rate } => *rate,
        other => panic!("expected one IRR, got {other:?}"),
    }
}

fn flow(year: u32, kind: FlowKind, minor: i64) -> CashFlow {
    CashFlow {
        year,
        kind,
        amount: Money(minor),
    }
}

// Reference values computed with numpy-financial 1.0.0 (numpy 2.4): `npf.npv(rate, flows)`,
// `npf.irr(flows)`, and every rate from the positive real roots of `np.roots(flows[::-1])`
// for the cases with several IRRs. Paybacks were computed in Python with the definition here
// (numpy-financial has none).
const SIMPLE: [f64; 5] = [-1000.0, 300.0, 400.0, 500.0, 200.0];
const SIMPLE_NPV_8: f64 = 164.635_396_967_866_57;
const SIMPLE_NPV_MINUS_20: f64 = 1_464.843_749_999_999_5;
const SIMPLE_IRR: f64 = 0.153_221_378_771_815_08;
const SIMPLE_DISCOUNTED_PAYBACK_8: f64 = 2.955_584;

/// Year 0 -250,000; year 1 -40,000; year t in 2..=30: 18,250.75 + 612.50·t.
fn thirty_years() -> Vec<f64> {
    let mut v = vec![-250_000.0, -40_000.0];
    v.extend((2..=30).map(|t| 18_250.75 + 612.5 * f64::from(t)));
    v
}
const THIRTY_NPV_7: f64 = 3_157.705_029_793_035_5;
const THIRTY_IRR: f64 = 0.070_914_147_896_101_51;
const THIRTY_PAYBACK: f64 = 13.591_446_651_072_197;
const THIRTY_DISCOUNTED_PAYBACK_7: f64 = 29.343_706_107_416_722;

const TWO_CHANGES: [f64; 3] = [-100.0, 230.0, -132.0];
const TWO_CHANGES_NPV_15: f64 = 0.189_035_916_824_209_95;
const TWO_CHANGES_RATES: [f64; 2] = [0.099_999_999_999_999_42, 0.200_000_000_000_000_62];

const RE_INVESTMENT: [f64; 4] = [-100.0, 100.0, 0.0, -7.0];
const RE_INVESTMENT_NPV_5: f64 = -10.808_767_951_625_091;
const RE_INVESTMENT_RATES: [f64; 2] = [-0.678_894_373_632_386_7, -0.083_299_666_184_932_56];

const THREE_CHANGES: [f64; 5] = [-5.0, 10.5, 1.0, -8.0, 1.0];
const THREE_CHANGES_NPV_5: f64 = -0.180_968_835_001_876_55;
const THREE_CHANGES_RATES: [f64; 3] = [
    -0.870_201_247_484_741_1,
    0.088_598_338_527_755_34,
    0.709_559_527_686_184_1,
];

const NEGATIVE_IRR: [f64; 4] = [-100.0, 0.0, 0.0, 74.0];
const NEGATIVE_IRR_RATE: f64 = -0.095_495_830_348_972_8;

const ALL_NEGATIVE: [f64; 3] = [-100.0, -50.0, -20.0];
const ALL_NEGATIVE_NPV_5: f64 = -165.759_637_188_208_61;

const LARGE: [f64; 6] = [-250e9, 60e9, 70e9, 80e9, 90e9, 95e9];
const LARGE_NPV_10: f64 = 42_960_614_960.478_28;
const LARGE_IRR: f64 = 0.159_897_508_858_701_58;
const LARGE_PAYBACK: f64 = 3.444_444_444_444_444_6;
const LARGE_DISCOUNTED_PAYBACK_10: f64 = 4.271_700_000_000_001;

#[test]
fn money_parses_plain_grouped_negative_and_decimal_amounts() {
    let p = |s| Money::parse("amount", s);
    assert_eq!(p("1234"), Ok(Money(123_400)));
    assert_eq!(p("1,234.56"), Ok(Money(123_456)));
    assert_eq!(p("-12.5"), Ok(Money(-1250)));
    assert_eq!(p("  0.05 "), Ok(Money(5)));
    assert_eq!(p(".5"), Ok(Money(50)));
    assert_eq!(p("12."), Ok(Money(1200)));
    assert_eq!(p("1,000,000"), Ok(Money(100_000_000)));
    assert_eq!(p("-0"), Ok(Money(0)));
    assert_eq!(p("100,000,000,000.00"), Ok(Money(Money::MAX)));
    assert_eq!(p("-100000000000"), Ok(Money(-Money::MAX)));
}

#[test]
fn money_refuses_decimal_commas_extra_decimals_and_junk_naming_the_field() {
    for raw in [
        "", "  ", "12,50", "1,2345", ",123", "1,,234", "1234,567", "1.234", "abc", "$5", "5 €",
        "1e3", "--1", "- 1", "+1", "1.2.3", ".", "-", "1 234",
    ] {
        let err = Money::parse("flows[3].amount", raw).err();
        assert_eq!(
            err.map(|e| e.field),
            Some("flows[3].amount".to_string()),
            "{raw:?} should be refused"
        );
    }
    assert_eq!(
        Money::parse("x", "1.234").err().map(|e| e.message),
        Some("must have at most 2 decimals".into())
    );
}

#[test]
fn money_refuses_amounts_beyond_the_maximum() {
    for raw in [
        "100,000,000,000.01",
        "-100000000000.01",
        "9223372036854775807",
        "340282366920938463463374607431768211456999",
    ] {
        assert_eq!(
            Money::parse("amount", raw).err().map(|e| e.message),
            Some("is implausibly large".into()),
            "{raw}"
        );
    }
}

#[test]
fn computed_amounts_display_like_entered_ones_rounded_to_the_cent() {
    assert_eq!(Money::from_major(527_273.3).to_string(), "527,273.30");
    assert_eq!(Money::from_major(527_273.299_6).to_string(), "527,273.30");
    assert_eq!(Money::from_major(-1_234.565_1).to_string(), "-1,234.57");
    assert_eq!(Money::from_major(259_200.0).to_string(), "259,200.00");
    assert_eq!(Money::from_major(f64::NAN), Money(0));
    assert_eq!(Money::from_major(f64::INFINITY), Money(i64::MAX));
}

#[test]
fn money_displays_with_thousands_separators_and_two_decimals() {
    assert_eq!(Money(123_456).to_string(), "1,234.56");
    assert_eq!(Money(-1250).to_string(), "-12.50");
    assert_eq!(Money(0).to_string(), "0.00");
    assert_eq!(Money(5).to_string(), "0.05");
    assert_eq!(Money(99_999).to_string(), "999.99");
    assert_eq!(Money(100_000).to_string(), "1,000.00");
    assert_eq!(Money(Money::MAX).to_string(), "100,000,000,000.00");
    assert_eq!(Money(i64::MIN).to_string(), "-92,233,720,368,547,758.08");
    assert_eq!(format!("{:>9}", Money(123_456)), " 1,234.56");
    assert_eq!(Money(-1250).major(), -12.5);
}

#[test]
fn flow_kinds_round_trip_and_tell_costs_from_benefits() {
    for &k in FlowKind::ALL {
        assert_eq!(k.as_str().parse::<FlowKind>(), Ok(k));
        assert_eq!(k.label().parse::<FlowKind>(), Ok(k));
    }
    assert_eq!(FlowKind::ItOneOff.as_str(), "it_one_off");
    assert_eq!(FlowKind::RiskAvoided.as_str(), "risk_avoided");
    let costs: Vec<_> = FlowKind::ALL.iter().filter(|k| k.is_cost()).collect();
    let it: Vec<_> = FlowKind::ALL.iter().filter(|k| k.is_it_cost()).collect();
    assert_eq!(
        costs,
        [
            &FlowKind::ItOneOff,
            &FlowKind::ItRecurring,
            &FlowKind::OtherCost
        ]
    );
    assert_eq!(it, [&FlowKind::ItOneOff, &FlowKind::ItRecurring]);
    assert_eq!(
        "capex".parse::<FlowKind>().err().map(|e| e.field),
        Some("kind".into())
    );
}

#[test]
fn a_business_case_reports_every_bad_field_at_once() {
    let errs = BusinessCase::new(
        5,
        10.0,
        vec![
            flow(0, FlowKind::ItOneOff, 100),
            flow(6, FlowKind::Savings, -1),
            flow(2, FlowKind::Revenue, Money::MAX + 1),
        ],
    )
    .err()
    .map(|e| e.0)
    .unwrap_or_default();
    let got: Vec<(&str, &str)> = errs
        .iter()
        .map(|e| (e.field.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "discount_rate",
                "must be from -10 % to 100 %: the range of rates finance uses"
            ),
            (
                "flows[1].year",
                "must be between 0 and the horizon (5 years)"
            ),
            ("flows[1].amount", "must not be negative"),
            ("flows[2].amount", "is implausibly large"),
        ]
    );
}

#[test]
fn a_horizon_beyond_thirty_years_or_of_zero_years_is_refused() {
    let err = BusinessCase::new(31, 0.08, vec![]).err().map(|e| e.0);
    assert_eq!(
        err,
        Some(vec![FieldError::new(
            "horizon_years",
            "must be at most 30 years"
        )])
    );
    let err = BusinessCase::new(0, 0.08, vec![flow(0, FlowKind::ItOneOff, 1)]);
    assert_eq!(
        err.err().map(|e| e.0),
        Some(vec![FieldError::new(
            "horizon_years",
            "must be at least 1 year"
        )])
    );
    assert!(BusinessCase::new(30, 0.08, vec![flow(30, FlowKind::Savings, 1)]).is_ok());
    assert!(BusinessCase::new(1, 0.08, vec![]).is_ok());
}

#[test]
fn the_discount_rate_must_lie_between_minus_10_and_100_percent() {
    for bad in [
        -1.0,
        -0.999,
        -0.1001,
        1.0001,
        10.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ] {
        let fields: Vec<String> = BusinessCase::new(5, bad, vec![])
            .err()
            .map(|e| e.0.into_iter().map(|e| e.field).collect())
            .unwrap_or_default();
        assert_eq!(fields, ["discount_rate"], "{bad}");
    }
    for good in [-0.1, -0.02, 0.0, 0.08, 1.0] {
        assert!(BusinessCase::new(5, good, vec![]).is_ok(), "{good}");
    }
}

#[test]
fn npv_agrees_with_numpy_financial() {
    assert_close(npv(0.08, &SIMPLE), SIMPLE_NPV_8);
    assert_close(npv(-0.2, &SIMPLE), SIMPLE_NPV_MINUS_20);
    assert_close(npv(0.07, &thirty_years()), THIRTY_NPV_7);
    assert_close(npv(0.15, &TWO_CHANGES), TWO_CHANGES_NPV_15);
    assert_close(npv(0.05, &RE_INVESTMENT), RE_INVESTMENT_NPV_5);
    assert_close(npv(0.05, &THREE_CHANGES), THREE_CHANGES_NPV_5);
    assert_close(npv(0.05, &ALL_NEGATIVE), ALL_NEGATIVE_NPV_5);
    assert_close(npv(0.1, &LARGE), LARGE_NPV_10);
    assert_eq!(npv(0.1, &[]), 0.0);
    assert_eq!(npv(0.1, &[-5.0]), -5.0);
}

#[test]
fn irr_of_a_single_sign_change_agrees_with_numpy_financial() {
    assert_close(unique(&irr(&SIMPLE)), SIMPLE_IRR);
    assert_close(unique(&irr(&thirty_years())), THIRTY_IRR);
    assert_close(unique(&irr(&LARGE)), LARGE_IRR);
    assert_close(unique(&irr(&NEGATIVE_IRR)), NEGATIVE_IRR_RATE);
}

#[test]
fn irr_ignores_empty_years_at_either_end() {
    let padded = [0.0, 0.0, -1000.0, 300.0, 400.0, 500.0, 200.0, 0.0];
    // Leading empty years shift every flow by the same number of years: same rate.
    assert_close(unique(&irr(&padded)), SIMPLE_IRR);
}

#[test]
fn irr_finds_rates_far_above_1000_percent_and_close_to_minus_100_percent() {
    assert_close(unique(&irr(&[-1.0, 100.0])), 99.0);
    assert_close(unique(&irr(&[-0.01, 1e11])), 1e13 - 1.0);
    assert_close(unique(&irr(&[-100.0, 0.01])), -0.9999);
    assert_eq!(unique(&irr(&[-100.0, 100.0])), 0.0);
}

#[test]
fn irr_with_two_sign_changes_lists_both_rates_and_chooses_the_one_closest_to_zero() {
    for (flows, expected) in [
        (&TWO_CHANGES[..], &TWO_CHANGES_RATES[..]),
        (&RE_INVESTMENT[..], &RE_INVESTMENT_RATES[..]),
        (&THREE_CHANGES[..], &THREE_CHANGES_RATES[..]),
    ] {
        let Irr::Multiple {
            rates,
            chosen,
            note,
        } = irr(flows)
        else {
            panic!("{flows:?} should have several IRRs");
        };
        assert_eq!(rates.len(), expected.len(), "{flows:?}: {rates:?}");
        for (got, want) in rates.iter().zip(expected) {
            assert!(close(*got, *want, 1e-9), "{got} vs {want}");
        }
        // numpy-financial's `irr` returns the rate closest to zero.
        let numpy_choice = expected
            .iter()
            .copied()
            .fold(f64::INFINITY, |b, r| if r.abs() < b.abs() { r } else { b });
        assert_close(chosen, numpy_choice);
        assert!(note.contains("closest to 0 %"), "{note}");
    }
}

#[test]
fn irr_finds_rates_beyond_the_scan_at_either_end() {
    // NPV·x⁻⁰ = (x - 200)(x - 1/1.1): IRRs of -99.5 % and 10 %.
    let x1 = 200.0;
    let x2 = 1.0 / 1.1;
    let Irr::Multiple { rates, .. } = irr(&[x1 * x2, -(x1 + x2), 1.0]) else {
        panic!("two IRRs expected");
    };
    assert!(
        close(rates[0], -0.995, 1e-9) && close(rates[1], 0.1, 1e-9),
        "{rates:?}"
    );
    // (x - 1/21)(x - 1/1.1): IRRs of 10 % and 2000 %.
    let x1 = 1.0 / 21.0;
    let Irr::Multiple { rates, .. } = irr(&[x1 * x2, -(x1 + x2), 1.0]) else {
        panic!("two IRRs expected");
    };
    assert!(
        close(rates[0], 0.1, 1e-9) && close(rates[1], 20.0, 1e-9),
        "{rates:?}"
    );
}

#[test]
fn irr_without_a_sign_change_is_none_with_a_reason() {
    let note = |flows: &[f64]| match irr(flows) {
        Irr::None { note } => note,
        other => panic!("{flows:?}: {other:?}"),
    };
    assert_eq!(note(&ALL_NEGATIVE), NOTE_ALL_COSTS);
    assert_eq!(note(&[0.0, 10.0, 20.0]), NOTE_ALL_BENEFITS);
    assert_eq!(note(&[0.0, 0.0]), NOTE_NO_FLOWS);
    assert_eq!(note(&[]), NOTE_NO_FLOWS);
    assert_eq!(note(&[-1.0, f64::NAN]), NOTE_NOT_FINITE);
    // Two sign changes, but the NPV stays negative at every rate.
    assert!(note(&[-100.0, 50.0, -100.0]).contains("change sign 2 times"));
}

#[test]
fn payback_interpolates_inside_the_year_it_turns_non_negative() {
    assert_eq!(payback(&SIMPLE), Some(2.6));
    assert_eq!(payback(&[-1000.0, 500.0, 500.0]), Some(2.0));
    assert_close(payback(&thirty_years()).unwrap_or(f64::NAN), THIRTY_PAYBACK);
    assert_close(payback(&LARGE).unwrap_or(f64::NAN), LARGE_PAYBACK);
    assert_eq!(payback(&[0.0, 10.0]), Some(0.0));
    assert_eq!(payback(&[]), Some(0.0));
    assert_eq!(payback(&ALL_NEGATIVE), None);
    assert_eq!(payback(&TWO_CHANGES), None);
}

#[test]
fn payback_waits_until_a_later_re_investment_is_recovered_too() {
    // Cumulative: -100, 50, -150, 150 → paid back for good half-way through year 3.
    assert_eq!(payback(&[-100.0, 150.0, -200.0, 300.0]), Some(2.5));
    // Positive first, then negative.
    assert_eq!(payback(&[100.0, -200.0, 300.0]), Some(1.0 + 100.0 / 300.0));
}

#[test]
fn discounted_payback_agrees_with_the_definition_on_discounted_flows() {
    assert_close(
        discounted_payback(0.08, &SIMPLE).unwrap_or(f64::NAN),
        SIMPLE_DISCOUNTED_PAYBACK_8,
    );
    assert_close(
        discounted_payback(0.07, &thirty_years()).unwrap_or(f64::NAN),
        THIRTY_DISCOUNTED_PAYBACK_7,
    );
    assert_close(
        discounted_payback(0.1, &LARGE).unwrap_or(f64::NAN),
        LARGE_DISCOUNTED_PAYBACK_10,
    );
    assert_eq!(discounted_payback(-0.2, &SIMPLE), Some(2.0));
    assert_eq!(discounted_payback(0.0, &SIMPLE), payback(&SIMPLE));
    assert_eq!(discounted_payback(0.5, &SIMPLE), None);
}

#[test]
fn roi_is_gain_over_costs_and_absent_without_costs() {
    assert_eq!(roi(1500.0, 1000.0), Some(0.5));
    assert_eq!(roi(500.0, 1000.0), Some(-0.5));
    assert_eq!(roi(500.0, 0.0), None);
}

/// The simple project as lines: 1,000.00 of IT cost up front, yearly IT running cost and
/// other costs against savings, revenue and risk avoided.
fn simple_case(rate: f64) -> BusinessCase {
    let lines = vec![
        flow(0, FlowKind::ItOneOff, 80_000),
        flow(0, FlowKind::OtherCost, 20_000),
        flow(1, FlowKind::ItRecurring, 5_000),
        flow(1, FlowKind::Savings, 35_000),
        flow(2, FlowKind::ItRecurring, 5_000),
        flow(2, FlowKind::Revenue, 30_000),
        flow(2, FlowKind::Savings, 15_000),
        flow(3, FlowKind::ItRecurring, 5_000),
        flow(3, FlowKind::Savings, 55_000),
        flow(4, FlowKind::ItRecurring, 5_000),
        flow(4, FlowKind::RiskAvoided, 25_000),
    ];
    match BusinessCase::new(4, rate, lines) {
        Ok(case) => case,
        Err(e) => panic!("{e:?}"),
    }
}

#[test]
fn a_business_case_evaluates_to_the_numpy_financial_figures() {
    let case = simple_case(0.08);
    assert_eq!(case.net_flows(), SIMPLE);
    assert_eq!(case.it_cost(), Money(100_000));
    let e = case.evaluate();
    assert_close(e.npv, SIMPLE_NPV_8);
    assert_close(unique(&e.irr), SIMPLE_IRR);
    assert_eq!(e.simple_payback_years, Some(2.6));
    assert_close(
        e.discounted_payback_years.unwrap_or(f64::NAN),
        SIMPLE_DISCOUNTED_PAYBACK_8,
    );
    assert_eq!(e.total_costs, Money(120_000));
    assert_eq!(e.total_benefits, Money(160_000));
    assert_eq!(e.roi, Some(40_000.0 / 120_000.0));
}

#[test]
fn a_business_case_decides_payback_on_exact_cents() {
    // -0.10, -0.20, +0.30: in floating point the cumulative is -5.6e-17 at the end.
    let case = BusinessCase::new(
        2,
        0.0,
        vec![
            flow(0, FlowKind::ItOneOff, 10),
            flow(1, FlowKind::OtherCost, 20),
            flow(2, FlowKind::Savings, 30),
        ],
    );
    let case = case.unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(payback(&case.net_flows()), None);
    assert_eq!(case.evaluate().simple_payback_years, Some(2.0));
}

#[test]
fn an_empty_business_case_has_no_rate_and_no_roi() {
    let e = BusinessCase::new(3, 0.05, vec![])
        .unwrap_or_else(|e| panic!("{e:?}"))
        .evaluate();
    assert_eq!(e.npv, 0.0);
    assert_eq!(
        e.irr,
        Irr::None {
            note: NOTE_NO_FLOWS.into()
        }
    );
    assert_eq!(e.roi, None);
    assert_eq!(e.simple_payback_years, Some(0.0));
}

#[test]
fn the_scan_runs_from_minus_99_to_1000_percent_in_ascending_rates() {
    assert_close(rate_of(GRID[0]), -0.99);
    assert_close(rate_of(GRID[GRID_POINTS - 1]), 10.0);
    assert!(GRID.windows(2).all(|w| w[0] > w[1]));
    // 1 % steps around zero.
    assert!(GRID.iter().any(|&x| rate_of(x).abs() < 1e-12));
    assert!(GRID.iter().any(|&x| close(rate_of(x), 0.01, 1e-9)));
}

/// Flows with exactly one sign change: some costs (maybe with empty years) then benefits.
fn one_sign_change() -> impl Strategy<Value = Vec<f64>> {
    (1_usize..=15, 1_usize..=16).prop_flat_map(|(costs, benefits)| {
        (
            prop::collection::vec(
                prop_oneof![1 => Just(0_i64), 6 => 1_i64..=10_000_000_000],
                costs,
            ),
            prop::collection::vec(
                prop_oneof![1 => Just(0_i64), 6 => 1_i64..=10_000_000_000],
                benefits,
            ),
            1_i64..=10_000_000_000,
            1_i64..=10_000_000_000,
        )
            .prop_map(|(c, b, c0, b0)| {
                let mut flows: Vec<f64> = c.iter().map(|&v| -(v as f64) / 100.0).collect();
                flows[0] = -(c0 as f64) / 100.0;
                flows.extend(b.iter().map(|&v| v as f64 / 100.0));
                if let Some(last) = flows.last_mut() {
                    *last = b0 as f64 / 100.0;
                }
                flows
            })
    })
}

fn any_flows() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(-1_000_000_i64..=1_000_000, 0..=31)
        .prop_map(|v| v.into_iter().map(|x| x as f64).collect())
}

/// Payback with "never" as infinity, so it can be compared.
fn years(p: Option<f64>) -> f64 {
    p.unwrap_or(f64::INFINITY)
}

/// Whether the NPV at `rate` is zero up to rounding: relative to the size of its discounted
/// terms (at rates >= 0 a stricter test than relative to the sum of absolute flows), and
/// allowing for the rate itself being rounded to an `f64`, which matters only close to
/// -100 % where `1 + rate` keeps few digits.
fn npv_is_zero_at(rate: f64, flows: &[f64]) -> bool {
    let x = 1.0 / (1.0 + rate);
    let scale = horner(&flows.iter().map(|v| v.abs()).collect::<Vec<_>>(), x);
    let rate_rounding = 2.0 * f64::EPSILON * (1.0 + rate.abs()) * x * flows.len() as f64;
    npv(rate, flows).abs() <= scale * (1e-12 + rate_rounding)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn the_npv_at_the_irr_is_zero_for_flows_with_one_sign_change(flows in one_sign_change()) {
        let Irr::Unique { rate } = irr(&flows) else {
            return Err(TestCaseError::fail(format!("no unique IRR for {flows:?}")));
        };
        prop_assert!(rate > -1.0);
        prop_assert!(npv_is_zero_at(rate, &flows), "rate {rate}");
        let absolute: f64 = flows.iter().map(|v| v.abs()).sum();
        if rate >= 0.0 {
            prop_assert!(npv(rate, &flows).abs() < 1e-12 * absolute, "rate {rate}");
        }
    }

    #[test]
    fn every_rate_irr_reports_makes_the_npv_zero(flows in any_flows()) {
        match irr(&flows) {
            Irr::None { note } => prop_assert!(!note.is_empty()),
            Irr::Unique { rate } => prop_assert!(npv_is_zero_at(rate, &flows), "rate {rate}"),
            Irr::Multiple { rates, chosen, .. } => {
                prop_assert!(rates.len() >= 2);
                prop_assert!(rates.windows(2).all(|w| w[0] < w[1]), "{rates:?}");
                prop_assert!(rates.contains(&chosen));
                prop_assert!(rates.iter().all(|r| r.abs() >= chosen.abs()));
                for r in rates {
                    prop_assert!(npv_is_zero_at(r, &flows), "rate {r}");
                }
            }
        }
    }

    #[test]
    fn adding_a_benefit_never_lengthens_payback(
        flows in any_flows(),
        year in 0_usize..31,
        benefit in 0_i64..=2_000_000,
    ) {
        let mut more = flows.clone();
        if let Some(v) = more.get_mut(year) {
            *v += benefit as f64;
        }
        prop_assert!(years(payback(&more)) <= years(payback(&flows)));
    }

    #[test]
    fn adding_a_benefit_line_never_lengthens_a_cases_payback(
        lines in prop::collection::vec(
            (0_u32..=30, prop::sample::select(FlowKind::ALL), 0_i64..=Money::MAX),
            0..40,
        ),
        extra in (0_u32..=30, prop::sample::select(vec![
            FlowKind::Revenue, FlowKind::Savings, FlowKind::RiskAvoided,
        ]), 0_i64..=Money::MAX),
    ) {
        let to_flows = |v: &[(u32, FlowKind, i64)]| -> Vec<CashFlow> {
            v.iter().map(|&(y, k, a)| flow(y, k, a)).collect()
        };
        let before = BusinessCase::new(30, 0.08, to_flows(&lines));
        let mut more = lines.clone();
        more.push(extra);
        let after = BusinessCase::new(30, 0.08, to_flows(&more));
        let (Ok(before), Ok(after)) = (before, after) else {
            return Err(TestCaseError::fail("valid lines were refused"));
        };
        prop_assert!(
            years(after.evaluate().simple_payback_years)
                <= years(before.evaluate().simple_payback_years)
        );
    }

    #[test]
    fn validation_never_accepts_a_horizon_beyond_30_years_or_a_rate_outside_the_range(
        horizon in 0_u32..=1000,
        rate in prop_oneof![
            -3.0_f64..12.0,
            -0.2_f64..1.2,
            Just(-0.1),
            Just(1.0),
            Just(-1.0),
            Just(10.0),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY),
        ],
    ) {
        let ok = BusinessCase::new(horizon, rate, vec![]).is_ok();
        let valid = (1..=30).contains(&horizon) && (-0.1..=1.0).contains(&rate);
        prop_assert_eq!(ok, valid);
    }

    #[test]
    fn money_parses_back_what_it_displays(minor in -Money::MAX..=Money::MAX) {
        prop_assert_eq!(Money::parse("amount", &Money(minor).to_string()), Ok(Money(minor)));
    }
}

#[test]
fn a_case_recorded_before_the_rate_was_bounded_still_reads() {
    assert!(BusinessCase::new(5, -0.5, vec![]).is_err());
    assert!(BusinessCase::restore(5, -0.5, vec![]).is_ok());
    assert!(BusinessCase::restore(5, -1.0, vec![]).is_err());
}
