// The app's database URL.
declare const connectionString: string
