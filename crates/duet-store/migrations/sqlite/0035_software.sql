-- Unity: the register of software and SaaS departments use, reviewed "yes, safely", and known
-- vulnerabilities matched offline. An entry names its owning department and business owner, the
-- data it holds, its users, cost and renewal, how it was found, and the identifiers it can be
-- matched by; a first declaration opens a request (the need it meets). A review records approved,
-- approved with conditions (tracked until met) or not approved with a safe alternative, and when
-- to review again. Advisories (KEV, OSV) are imported whole; what they affect is indexed by
-- package URL, CPE and name; findings link entries to advisories with a confidence, and a person
-- confirms or dismisses them. Renewal reminders are sent once per renewal and lead time.

create table software (
    id                integer primary key autoincrement,
    name              text not null,
    vendor            text not null,
    purpose           text not null,
    category          text not null default '',
    department_id     integer not null references departments (id),
    owner_person_id   integer references people (id),
    data_class        text not null,
    users             integer not null default 0,
    cost_minor        integer,
    renewal_on        text,
    renewal_interval  text not null default 'none',
    found             text not null,
    cpe               text,
    purl              text,
    version           text,
    aliases           text not null default '',
    request_id        integer references requests (id),
    declared_by       integer references users (id),
    created_at        text not null,
    updated_at        text not null
);
create index software_department_idx on software (department_id, name);
create index software_renewal_idx on software (renewal_on);

create table software_reviews (
    id              integer primary key autoincrement,
    software_id     integer not null references software (id),
    reviewer_id     integer not null references users (id),
    decision        text not null,
    note            text not null,
    alternative     text not null default '',
    review_again_on text not null,
    created_at      text not null
);
create index software_reviews_software_idx on software_reviews (software_id, id desc);

create table software_conditions (
    id           integer primary key autoincrement,
    review_id    integer not null references software_reviews (id),
    software_id  integer not null references software (id),
    text         text not null,
    met_at       text,
    met_by       integer references users (id)
);
create index software_conditions_software_idx on software_conditions (software_id);

create table advisories (
    id               integer primary key autoincrement,
    source           text not null,
    advisory_id      text not null,
    aliases          text not null default '',
    summary          text not null,
    published_on     text,
    due_on           text,
    ransomware       boolean not null default false,
    required_action  text not null default '',
    imported_at      text not null,
    unique (source, advisory_id)
);

create table advisory_affected (
    advisory_id    integer not null references advisories (id) on delete cascade,
    purl_key       text,
    cpe_vendor     text,
    cpe_product    text,
    alias_vendor   text,
    alias_product  text,
    ranges         text not null default '[]',
    versions       text not null default '[]'
);
create index advisory_affected_advisory_idx on advisory_affected (advisory_id);
create index advisory_affected_purl_idx on advisory_affected (purl_key) where purl_key is not null;
create index advisory_affected_cpe_idx on advisory_affected (cpe_vendor, cpe_product) where cpe_vendor is not null;
create index advisory_affected_alias_idx on advisory_affected (alias_vendor, alias_product) where alias_vendor is not null;

create table software_findings (
    id            integer primary key autoincrement,
    software_id   integer not null references software (id),
    advisory_id   integer not null references advisories (id),
    confidence    text not null,
    status        text not null default 'open',
    due_on        text,
    found_at      text not null,
    decided_by    integer references users (id),
    decided_at    text,
    note          text not null default '',
    unique (software_id, advisory_id)
);
create index software_findings_status_idx on software_findings (status, software_id);

create table software_reminders (
    software_id  integer not null references software (id),
    renewal_on   text not null,
    days_before  integer not null,
    sent_at      text not null,
    primary key (software_id, renewal_on, days_before)
);
