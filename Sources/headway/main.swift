import HeadwayCLI

HeadwayCommand.main()
