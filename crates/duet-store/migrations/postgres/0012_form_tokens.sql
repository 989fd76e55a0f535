-- Idempotent create forms: every create form carries a random `_once` token; the first POST
-- reserves it here (insert … on conflict do nothing) and, once the thing exists, records where it
-- led. A repeated POST of the same form (reload, double click, back-and-resend) is redirected
-- there instead of creating again. Only a hash of token and form path is kept, with the day
-- (never a person, a session or a time of day: the anonymous voice form uses it too); rows are
-- pruned after a day.
create table form_tokens (
    key_hash text primary key,
    location text,
    created_on date not null
);
create index form_tokens_created_on on form_tokens (created_on);
