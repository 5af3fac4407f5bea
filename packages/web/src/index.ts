// Public API of @ccl/web: the pieces of the web app (the page bundles them from dist/app/app.js) and its
// Node server. Browser side: the exported student (parseStudentExport, loadStudent), `ccl eval`'s clips of
// a decoded video and their averaged scores (evalWindowsOfVideo, logitsOfClips, topClasses), the frames of
// an HTML <video> (decodeVideoFrames). Node side: startWebServer, and the `ccl-web` command (webMain).
export { loadStudent, parseStudentExport } from './student-export';
export type { StudentClipSpec, StudentExport } from './student-export';
export { WINDOWS_PER_PASS, evalWindowsOfVideo, logitsOfBatch, logitsOfClips, topClasses } from './classify';
export type { ClassScore } from './classify';
export { decodeVideoFrames, frameRateOf, openVideo, presentedFrameTimes } from './video-frames';
export { startWebServer } from './server/serve';
export type { WebServer, WebServerOptions } from './server/serve';
export { defaultAppDir, webMain } from './cli';
