-- Every request to a new address (an extra parameter the page ignores), so the server cannot
-- answer from a page it kept: what the page costs when it has to be read from the database.
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
