export async function runCollect(_a: string[]): Promise<number> { return 2; }
