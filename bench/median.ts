/** The median of samples (of an even count, the upper of the two middle ones). */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
