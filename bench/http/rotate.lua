-- wrk script: GET <path> with a session cookie taken in turn from a file of
-- primed cookies (one "name=value[; name2=value2]" line each), so the server
-- sees many distinct sessions, not one hot one. Usage:
--   wrk -s rotate.lua http://127.0.0.1:PORT -- cookies.txt [/count|/read]
local cookies = {}
local requests = {}
local i = 0

function init(args)
  local path = args[2] or "/count"
  for line in io.lines(args[1]) do
    if line ~= "" then
      cookies[#cookies + 1] = line
      -- Formatted once: the client's own cost per request stays small.
      requests[#requests + 1] = wrk.format("GET", path, { ["Cookie"] = line })
    end
  end
  i = math.random(#requests)
end

function request()
  i = i % #requests + 1
  return requests[i]
end
