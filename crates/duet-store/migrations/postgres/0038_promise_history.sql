-- Bring your history: promises imported from an organisation's past keep their original dates
-- (made, due, closed; their trust events fall on those days) and say where they came from.

alter table promises add column imported_from text;
