-- The classic design: one SQL transaction per transfer, balance rows updated in place.
\set from random(1, :accounts)
\set to random(1, :accounts)
\set amount random(1, 100)
BEGIN;
UPDATE bench_accounts SET balance = balance - :amount WHERE id = :from;
UPDATE bench_accounts SET balance = balance + :amount WHERE id = :to;
INSERT INTO bench_history (from_id, to_id, amount, at) VALUES (:from, :to, :amount, now());
END;
