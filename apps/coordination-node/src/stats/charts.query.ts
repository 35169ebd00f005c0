import { IsIn, IsOptional, Matches } from 'class-validator';
import { CHART_PERIODS, ChartPeriod } from './charts';

export class ChartsQuery {
  /** 7d: the last 7 days by day (default); 24h: the last 24 hours by hour */
  @IsOptional()
  @IsIn(Object.keys(CHART_PERIODS), { message: 'period must be 7d or 24h' })
  period?: ChartPeriod;

  /** the IANA time zone days and hours are counted in (default UTC): the reader's, e.g. Asia/Almaty */
  @IsOptional()
  @Matches(/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/, { message: 'tz must be an IANA time zone such as Asia/Almaty' })
  tz?: string;
}
