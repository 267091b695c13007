-- One objection state table for 亩均评价 and 考核 (core::objection::ObjectionStatus): a 考核
-- objection the office accepted was stored as 'upheld'; it reads 'accepted', as a 亩均评价
-- objection's does.
UPDATE assessment_objections SET status = 'accepted' WHERE status = 'upheld';
