import HeadwayCLI

await HeadwayCommand.start()
