/** Exit codes are computed from reports, in one place. */
import type { CheckReport, Recommendation } from '../types.js';

export const exitCodeOfCheck = (report: Pick<CheckReport, 'valid'>): 0 | 1 => (report.valid ? 0 : 1);
export const exitCodeOfRecommend = (rec: Pick<Recommendation, 'endpoint'>): 0 | 1 => (rec.endpoint === null ? 1 : 0);
