-- The monthly edition: a newsletter drafted from Duet's own records (delivered work, funded
-- items, kept promises, what is coming, "you said, we did", where to get help, the month's
-- posts), reviewed by an editor and scheduled. Each line keeps the record it came from and the
-- page it links to; clicks on it are counted (never who clicked), opens are not.

create table editions (
    id            integer primary key autoincrement,
    month         text not null unique,        -- the month it covers, YYYY-MM
    title         text not null,
    intro         text not null,               -- Markdown, as written
    intro_html    text not null,               -- its safe HTML
    status        text not null check (status in ('draft', 'scheduled')),
    send_at       text,                         -- when it goes (scheduled)
    revision      integer not null default 1,  -- each save; e-mail is keyed by it
    drafted_at    text not null,
    updated_at    text not null,
    updated_by    integer references users (id),
    scheduled_by  integer references users (id)
);
create index editions_status_idx on editions (status, send_at desc);

create table edition_items (
    id             integer primary key autoincrement,
    edition_id     integer not null references editions (id) on delete cascade,
    section        text not null check (section in ('delivered', 'funded', 'kept', 'coming', 'you_said', 'help', 'posts')),
    position       integer not null,
    text           text not null,
    url            text not null,
    source         text,                        -- e.g. 'request:12'; none for a line the editor added
    department_id  integer references departments (id),  -- only this department's people see it
    post_id        integer references posts (id),         -- follows the post's audience
    request_id     integer references requests (id),      -- linked only for readers who may open it
    included       boolean not null default true,
    clicks         integer not null default 0
);
create index edition_items_edition_idx on edition_items (edition_id, section, position);
