-- The classic design with every transfer crediting one hot account.
\set from random(2, :accounts)
\set amount random(1, 100)
BEGIN;
UPDATE bench_accounts SET balance = balance - :amount WHERE id = :from;
UPDATE bench_accounts SET balance = balance + :amount WHERE id = 1;
INSERT INTO bench_history (from_id, to_id, amount, at) VALUES (:from, 1, :amount, now());
END;
