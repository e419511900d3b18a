-- Every request to a new address (an extra parameter the page ignores), as agents opening
-- different pages do: each request is a first look at its page, read from the database, and
-- nothing before the database (a browser's or a proxy's cache) could answer it from an earlier
-- response.
-- The run's id (wrk's argument after --) keeps two runs on one path from sharing addresses.
local prefix = ""
local counter = 0

function init(args)
    prefix = args[1] or ""
end

function request()
    counter = counter + 1
    local separator = string.find(wrk.path, "?", 1, true) and "&" or "?"
    return wrk.format(nil, wrk.path .. separator .. "fresh=" .. prefix .. "-" .. counter)
end
