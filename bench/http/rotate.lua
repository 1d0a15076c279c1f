-- wrk script: GET /count with a session cookie taken in turn from a file of
-- primed cookies (one "name=value[; name2=value2]" line each), so the server
-- sees many distinct sessions, not one hot one. Usage:
--   wrk -s rotate.lua http://127.0.0.1:PORT -- cookies.txt
local cookies = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then cookies[#cookies + 1] = line end
  end
  i = math.random(#cookies)
end

function request()
  i = i % #cookies + 1
  return wrk.format("GET", "/count", { ["Cookie"] = cookies[i] })
end
