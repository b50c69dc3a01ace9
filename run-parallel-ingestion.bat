@echo off
rem Windows launcher: runs the ingest job for every cluster. Extra arguments are passed
rem on, e.g.  run-parallel-ingestion.bat --limit=1000 --json
setlocal
cd /d "%~dp0"

where node >nul 2>nul
if errorlevel 1 (
  echo run-parallel-ingestion: Node.js was not found on PATH. Install Node.js 20.6 or newer from https://nodejs.org 1>&2
  exit /b 1
)

if not exist "build\Release\gh_ingest.node" (
  echo run-parallel-ingestion: building the native addon first ^(npm run build^)
  call npm run build
  if errorlevel 1 (
    echo run-parallel-ingestion: the build failed; see README.md, "Building on Windows" 1>&2
    exit /b 1
  )
)

node ingest-balanced-parallel.js --cluster=all %*
exit /b %ERRORLEVEL%
