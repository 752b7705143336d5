-- Drift correction and feeds in flight (issue 12): when Amazon's own quantity of a listing was last read
-- (an import), and the JSON_LISTINGS_FEED still carrying its quantity (its id, the listing's message number
-- in it and the quantity sent) so the next push waits for that feed instead of sending again.
ALTER TABLE listing ADD COLUMN amazon_quantity_at TEXT;
ALTER TABLE listing ADD COLUMN feed_id TEXT;
ALTER TABLE listing ADD COLUMN feed_message_id INTEGER;
ALTER TABLE listing ADD COLUMN feed_quantity INTEGER;
CREATE INDEX listing_store_feed ON listing (store_id, feed_id) WHERE feed_id IS NOT NULL;
