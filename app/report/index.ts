// The HTML run report: writeRunReport(summary, details, outFile), and collectRunReport to build
// `details` from a validated workflow, its summary and the output directory.
export { renderRunReport, writeRunReport, workflowName, REGISTRATION_PICTURE_TYPES, type ReportDetection, type ReportHistogram, type ReportNode, type ReportPicture, type ReportTable, type RunReportDetails } from './report.js';
export { collectRunReport, histogram, parseCsv, readRunSummary, reportDetections, reportNodes, reportPictures, reportTables } from './collect.js';
