// pure-rand publishes its entry points only through package.json "exports", which the project's `node10` module
// resolution does not read; these declarations point the type checker at the same files Node loads at run time.
declare module 'pure-rand/generator/xoroshiro128plus' {
  export * from 'pure-rand/lib/generator/xoroshiro128plus';
}
declare module 'pure-rand/types/JumpableRandomGenerator' {
  export * from 'pure-rand/lib/types/JumpableRandomGenerator';
}
