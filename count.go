package koban

// InquiryCount is how many inquiries are in one state with one reported
// category: the human's label where there is one, else koban's ("" when
// the inquiry is not triaged yet). The store counts them; the metrics
// export them.
type InquiryCount struct {
	State    State
	Category Category
	Count    int
}
