-- Product pictures (issue 17): the listing's main image link from the Listings API
-- (summaries.mainImage.link; '' = not known yet). The picture itself is cached in the data folder.
ALTER TABLE listing ADD COLUMN image_url TEXT NOT NULL DEFAULT '' CHECK (length(image_url) <= 2000);
-- When the link was last read (NULL = never): each full import re-reads the oldest-checked ones, so a
-- picture the seller replaced on Amazon (a new link) is picked up over time.
ALTER TABLE listing ADD COLUMN image_checked_at TEXT;
