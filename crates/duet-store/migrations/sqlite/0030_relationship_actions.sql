-- See: the plan against an early warning. Each action is a promise in the trust ledger (owner,
-- due date), so its follow-through is measured like any other promise; this links it to the
-- warning it answers.

create table relationship_actions (
    warning_id  integer not null references relationship_warnings (id),
    promise_id  integer not null references promises (id),
    created_at  text not null,
    primary key (warning_id, promise_id)
);
