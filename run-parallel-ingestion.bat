@echo off
rem Windows launcher: runs the ingest job for every cluster. Extra arguments are passed
rem on, e.g.  run-parallel-ingestion.bat --limit=1000 --json
rem It runs in the current directory (./data and relative --config paths are resolved
rem there, as with `node ingest-balanced-parallel.js`); double-clicked, that is this folder.
setlocal
set "ROOT=%~dp0"

where node >nul 2>nul
if errorlevel 1 (
  >&2 echo run-parallel-ingestion: Node.js was not found on PATH. Install Node.js 20.6 or newer from https://nodejs.org
  exit /b 1
)

if exist "%ROOT%build\Release\gh_ingest.node" goto run
echo run-parallel-ingestion: building the native addon first (see README.md, "Building on Windows")
pushd "%ROOT%"
rem npm install builds the addon too; with the dependencies present, building is enough.
if exist "node_modules\cmake-js\" (call npm run build) else (call npm install)
if errorlevel 1 goto build_failed
popd

:run
node "%ROOT%ingest-balanced-parallel.js" --cluster=all %*
exit /b %ERRORLEVEL%

:build_failed
popd
>&2 echo run-parallel-ingestion: the build failed; see README.md, "Building on Windows"
exit /b 1
