-- See (issue 14), the people level: when a leader signs a review's record they may say how the
-- meeting felt (friendly, businesslike, tense), kept with their signature.
alter table review_records add column it_tone text check (it_tone in ('friendly', 'businesslike', 'tense'));
alter table review_records add column business_tone text check (business_tone in ('friendly', 'businesslike', 'tense'));
