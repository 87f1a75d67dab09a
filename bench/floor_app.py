"""The framework's floor: a bare FastAPI endpoint that only answers 202, served the same way."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()


@app.post("/webhooks/github")
async def receive(request: Request) -> JSONResponse:
    await request.body()
    return JSONResponse({"queued": True}, 202)
