// The API's integration (handler echo.handler): it answers with the event
// API Gateway sent, whichever payload format version (2.0 or 1.0) the
// route's integration asks for.
exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(event)
})
