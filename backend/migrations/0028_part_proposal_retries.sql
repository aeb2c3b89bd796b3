-- A part proposed again with the same key (the student's retry after the answer was lost on a bad network, or a
-- second tap) is the same part: the owner is not asked twice, nor the cost counted twice.
alter table public.job_parts add column idempotency_key uuid;
create unique index job_parts_idempotency on public.job_parts (request_id, idempotency_key)
    where idempotency_key is not null;
