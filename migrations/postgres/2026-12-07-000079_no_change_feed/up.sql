-- Pages are read afresh on every request, so no instance listens for changes any more:
-- the triggers of every table go with the function they call.
DROP FUNCTION portico_notify_change() CASCADE;
