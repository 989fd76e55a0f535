-- Tell: posts (what is changing, coming up, where to get help, a call for feedback, success
-- stories told by the business owner), their audiences, reactions and comments.
--
-- A post's Markdown is kept as written and as the safe HTML it renders to (rendered once, on
-- write). A success story names the delivered request it tells; it is published only once its
-- business owner approved the revision that is shown (approved_revision = revision).

create table posts (
    id                 bigint generated always as identity primary key,
    kind               text not null check (kind in ('changing', 'coming_up', 'help', 'feedback', 'success_story')),
    title              text not null,
    body               text not null,
    body_html          text not null,
    summary            text not null,       -- plain-text excerpt for lists and the feed
    author_id          bigint not null references users (id),
    request_id         bigint references requests (id),
    status             text not null check (status in ('draft', 'awaiting_approval', 'published', 'hidden')),
    audience_all       boolean not null,
    publish_at         timestamptz not null,
    revision           bigint not null default 1,
    approved_by        bigint references users (id),
    approved_revision  bigint,
    approved_at        timestamptz,
    approval_note      text,
    hidden_reason      text,
    created_at         timestamptz not null,
    updated_at         timestamptz not null,
    check ((kind = 'success_story') = (request_id is not null))
);
create index posts_published_idx on posts (status, publish_at desc, id desc);
create index posts_author_idx on posts (author_id, id desc);
create index posts_request_idx on posts (request_id) where request_id is not null;

-- The departments a post is meant for; none (audience_all) = everyone.
create table post_audiences (
    post_id        bigint not null references posts (id) on delete cascade,
    department_id  bigint not null references departments (id),
    primary key (post_id, department_id)
);
create index post_audiences_department_idx on post_audiences (department_id, post_id);

-- One reaction of each kind per person and post.
create table post_reactions (
    post_id     bigint not null references posts (id) on delete cascade,
    user_id     bigint not null references users (id),
    kind        text not null check (kind in ('thanks', 'useful', 'celebrate')),
    created_at  timestamptz not null,
    primary key (post_id, user_id, kind)
);

create table post_comments (
    id          bigint generated always as identity primary key,
    post_id     bigint not null references posts (id) on delete cascade,
    user_id     bigint not null references users (id),
    text        text not null,
    created_at  timestamptz not null,
    hidden_at   timestamptz
);
create index post_comments_post_idx on post_comments (post_id, id);
