-- 站内通知 in the reader's language: what a notice says, as `qx_core::notice::Text` in JSON
-- (its kind of sentence and the facts in it), rendered per reader. `message` keeps the
-- Chinese sentence for webhooks and is what notices written before this column show.

ALTER TABLE notices ADD COLUMN body TEXT;
