-- See (issue 14): an IT respondent's answers to the DUET pulse or the mirror survey name the
-- business department they are about, so they land on a department pair. Like the respondent's
-- own department it is sealed inside the answer box until the campaign closes, then written here
-- with the rest of the answer; results show it only through Listen's anonymity rules
-- (`duet_core::listen::results::compute_about`).
alter table survey_responses add column about_department_id bigint references departments (id);
